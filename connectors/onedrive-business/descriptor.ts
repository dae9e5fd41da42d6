import type { ConnectorDescriptor } from '../types';
import { microsoftIdentity } from './identity';
import { DEFAULT_FOLDER, folderSchema } from './names';
import { DEFAULT_MAX_DOCUMENT_BYTES, lines, outputFormats, TERMS_VERSION } from '../shared/catalogue';

export const descriptor: ConnectorDescriptor = {
  id: 'onedrive-business',
  displayName: 'OneDrive for Business',
  names: { fr: 'OneDrive for Business', nl: 'OneDrive for Business', en: 'OneDrive for Business' },
  summary: {
    fr: 'Enregistre chaque facture sous forme de fichier UBL dans votre OneDrive professionnel.',
    nl: 'Bewaart elke factuur als UBL-bestand in uw zakelijke OneDrive.',
    en: 'Saves each invoice as a UBL file in your work OneDrive.',
  },
  help: {
    fr: lines(
      'Sélectionnez OneDrive et cliquez sur Suivant.',
      'Sélectionnez le format souhaité.',
      'Connectez-vous avec votre compte OneDrive.',
      'Donnez la permission de partager des données avec votre compte OneDrive.',
      "Acceptez les conditions d'utilisation et finalisez la connexion en cliquant sur « Connecter ».",
    ),
    nl: lines(
      'Selecteer OneDrive en klik op Volgende.',
      'Selecteer het gewenste formaat.',
      'Meld u aan met uw OneDrive-account.',
      'Geef toestemming om gegevens te delen met uw OneDrive-account.',
      "Aanvaard de gebruiksvoorwaarden en rond de verbinding af door op 'Verbinden' te klikken.",
    ),
    en: lines(
      'Select OneDrive and click Next.',
      'Select the format you want.',
      'Sign in with your OneDrive account.',
      'Give permission to share data with your OneDrive account.',
      'Accept the terms of service and complete the connection by clicking Connect.',
    ),
  },
  documentTypes: ['sales-invoice', 'purchase-invoice'],
  auth: 'oauth2',
  steps: ['format', 'oauth', 'terms'],
  // The folder is a field of the sign-in (oauth) step: that form is shown just before the user leaves
  // for Microsoft, needs no list from the target (unlike the administration step), and its values are
  // kept as the connection's settings and offered again when the user signs in anew.
  fields: [
    {
      name: 'folder',
      step: 'oauth',
      label: { fr: 'Dossier OneDrive', nl: 'OneDrive-map', en: 'OneDrive folder' },
      help: {
        fr: 'Le dossier de votre OneDrive où déposer les factures, par exemple Invoice_import/ (créé au besoin).',
        nl: 'De map in uw OneDrive waarin de facturen komen, bijvoorbeeld Invoice_import/ (wordt zo nodig aangemaakt).',
        en: 'The folder of your OneDrive that receives the invoices, for example Invoice_import/ (created if needed).',
      },
      input: 'text',
      secret: false,
      required: false,
      default: DEFAULT_FOLDER,
      schema: folderSchema,
    },
  ],
  // Newer help pages name Peppol BIS Billing 3.0 for OneDrive; the setup lets the user choose.
  formats: [outputFormats.peppolBis3, outputFormats.eFff3],
  oauth: {
    pkce: true,
    scopes: microsoftIdentity.scopes,
    sharedAuthorization: false,
  },
  // 20 MiB: files above 4 MiB go through an upload session (see deliver.ts).
  limits: { maxDocumentBytes: DEFAULT_MAX_DOCUMENT_BYTES },
  termsVersion: TERMS_VERSION,
  available: true,
};
