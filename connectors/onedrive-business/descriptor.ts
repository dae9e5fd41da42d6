import type { ConnectorDescriptor } from '../types';
import { driveIdSchema, OWN_DRIVE_SCOPES } from './drive';
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
    {
      name: 'sharedLibrary',
      step: 'oauth',
      label: {
        fr: 'Bibliothèque partagée (ID du drive)',
        nl: 'Gedeelde bibliotheek (drive-ID)',
        en: 'Shared library (drive ID)',
      },
      help: {
        fr: "Laissez vide pour votre propre OneDrive. Pour une bibliothèque SharePoint partagée, indiquez l'ID de son drive (commence par b!, votre administrateur le trouve dans Graph Explorer) : le dossier ci-dessus est alors dans cette bibliothèque, et Relais demande l'accès à tous les fichiers que vous pouvez modifier (Files.ReadWrite.All).",
        nl: 'Laat leeg voor uw eigen OneDrive. Voor een gedeelde SharePoint-bibliotheek vult u de drive-ID in (begint met b!, uw beheerder vindt die in Graph Explorer): de map hierboven staat dan in die bibliotheek, en Relais vraagt toegang tot alle bestanden die u mag wijzigen (Files.ReadWrite.All).',
        en: 'Leave empty for your own OneDrive. For a shared SharePoint library, enter its drive ID (starts with b!; your administrator finds it in Graph Explorer): the folder above is then in that library, and Relais asks for access to all files you may edit (Files.ReadWrite.All).',
      },
      input: 'text',
      secret: false,
      required: false,
      schema: driveIdSchema,
    },
  ],
  // Newer help pages name Peppol BIS Billing 3.0 for OneDrive; the setup lets the user choose.
  formats: [outputFormats.peppolBis3, outputFormats.eFff3],
  oauth: {
    pkce: true,
    // Files.ReadWrite.All instead when a shared library is chosen (oauth.ts, drive.ts).
    scopes: OWN_DRIVE_SCOPES,
    sharedAuthorization: false,
  },
  // 20 MiB: files above 4 MiB go through an upload session (see deliver.ts).
  limits: { maxDocumentBytes: DEFAULT_MAX_DOCUMENT_BYTES },
  termsVersion: TERMS_VERSION,
  available: true,
};
