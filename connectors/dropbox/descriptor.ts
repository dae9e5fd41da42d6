import { DEFAULT_MAX_DOCUMENT_BYTES, lines, outputFormats, TERMS_VERSION } from '../shared/catalogue';
import type { ConnectorDescriptor } from '../types';

/** Dropbox: each invoice becomes a UBL file under Invoice_import/ in the user's Dropbox. */
export const dropboxDescriptor: ConnectorDescriptor = {
  id: 'dropbox',
  displayName: 'Dropbox',
  names: { fr: 'Dropbox', nl: 'Dropbox', en: 'Dropbox' },
  summary: {
    fr: 'Dépose chaque facture en UBL dans votre Dropbox, dans le dossier Invoice_import.',
    nl: 'Plaatst elke factuur als UBL-bestand in uw Dropbox, in de map Invoice_import.',
    en: 'Puts each invoice as a UBL file into your Dropbox, in the Invoice_import folder.',
  },
  help: {
    fr: lines(
      'Dans la liste, choisissez Dropbox puis cliquez sur Suivant.',
      'Si plusieurs options sont listées, sélectionnez Dropbox - UBL : eFFF 3.0 puis cliquez sur Suivant.',
      "Pour lier votre Dropbox, vous devez d'abord vous connecter à votre compte. Cliquez sur Se connecter avec Dropbox.",
      "Après vous être connecté, vous pouvez voir l'écran suivant, cliquez sur Continuer.",
      "Ensuite, l'écran de consentement Dropbox apparaîtra, cliquez sur Autoriser.",
      "Après vous être connecté, vous pouvez voir l'écran suivant, cliquez sur Continuer.",
      'Après vous être authentifié avec succès sur Dropbox, finalisez la connexion en cliquant sur Connecter après ' +
        'avoir coché la case pour accepter les Conditions de service. Votre connexion devrait alors être confirmée.',
      "Les factures arrivent dans Invoice_import/<nom de l'entreprise>_<numéro de TVA>/AP (achats) ou AR (ventes).",
    ),
    nl: lines(
      'Kies Dropbox in de lijst en klik op Volgende.',
      'Als er meerdere opties staan, selecteer dan Dropbox - UBL: eFFF 3.0 en klik op Volgende.',
      'Om uw Dropbox te koppelen, meldt u zich eerst aan bij uw account. Klik op Aanmelden met Dropbox.',
      'Nadat u zich hebt aangemeld, ziet u mogelijk het volgende scherm; klik op Doorgaan.',
      'Daarna verschijnt het toestemmingsscherm van Dropbox; klik op Toestaan.',
      'Nadat u zich hebt aangemeld, ziet u mogelijk het volgende scherm; klik op Doorgaan.',
      'Nadat u zich met succes bij Dropbox hebt aangemeld, vinkt u het vakje aan om de Servicevoorwaarden te ' +
        'aanvaarden en rondt u de koppeling af door op Verbinden te klikken. Uw koppeling zou dan bevestigd moeten worden.',
      'De facturen komen terecht in Invoice_import/<bedrijfsnaam>_<btw-nummer>/AP (aankopen) of AR (verkopen).',
    ),
    en: lines(
      'In the list, choose Dropbox and click Next.',
      'If several options are listed, select Dropbox - UBL: eFFF 3.0 and click Next.',
      'To link your Dropbox, you first sign in to your account. Click Sign in with Dropbox.',
      'After signing in, you may see the following screen; click Continue.',
      'Then the Dropbox consent screen appears; click Allow.',
      'After signing in, you may see the following screen; click Continue.',
      'Once you are signed in to Dropbox, tick the box to accept the Terms of Service and finish by clicking ' +
        'Connect. Your connection should then be confirmed.',
      'Invoices arrive in Invoice_import/<company name>_<VAT number>/AP (purchases) or AR (sales).',
    ),
  },
  documentTypes: ['sales-invoice', 'purchase-invoice'],
  auth: 'oauth2',
  steps: ['format', 'oauth', 'terms'],
  fields: [],
  formats: [outputFormats.eFff3, outputFormats.peppolBis3],
  oauth: {
    pkce: true,
    // The scopes the SDK's routes name: users/get_current_account, files/upload, files/get_metadata.
    scopes: ['account_info.read', 'files.content.write', 'files.metadata.read'],
    // Each sign-in gets its own refresh token and earlier ones stay valid, so connections need not share one.
    sharedAuthorization: false,
  },
  // 20 MiB: one files/upload call takes up to 150 MiB, so no upload sessions are needed.
  limits: { maxDocumentBytes: DEFAULT_MAX_DOCUMENT_BYTES },
  termsVersion: TERMS_VERSION,
  available: true,
};
