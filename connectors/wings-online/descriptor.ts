import type { ConnectorDescriptor } from '../types';
import {
  commonLabels,
  DEFAULT_MAX_DOCUMENT_BYTES,
  lines,
  outputFormats,
  TERMS_VERSION,
} from '../shared/catalogue';
import { positiveInteger, requiredText } from '../shared/validators';

const journalCode = (message: string) =>
  requiredText(message, { maxLength: 20, tooLong: 'A Wings journal code is at most 20 characters' });

export const descriptor: ConnectorDescriptor = {
  id: 'wings-online',
  displayName: 'Wings Online',
  names: { fr: 'Wings Online', nl: 'Wings Online', en: 'Wings Online' },
  summary: {
    fr: 'Envoie les factures vers la comptabilité Wings Online de votre client, au format e-FFF, dans les journaux choisis.',
    nl: 'Stuurt de facturen naar de Wings Online-boekhouding van uw klant, in e-FFF-formaat, in de gekozen dagboeken.',
    en: "Sends the invoices to your client's Wings Online accounting, as e-FFF, into the journals you choose.",
  },
  help: {
    fr: lines(
      "À l'écran suivant, choisissez Wings Online puis appuyez sur Suivant.",
      "À l'écran suivant, remplissez toutes les informations requises et appuyez sur « Connecter ».",
      'Où trouver les informations dans Wings Online :',
      "- Nom d'utilisateur / Mot de passe : informations API (+ configuration), fournies par Wings. Le nom d'utilisateur commence toujours par Wings8 (par exemple Wings8123).",
      '- Numéro interne : dans la configuration de Wings, fourni par le client.',
      "Saisissez ces informations : nom d'utilisateur, mot de passe, numéro interne, journal des comptes clients et journal des comptes fournisseurs.",
    ),
    nl: lines(
      'Kies in het volgende scherm Wings Online en klik op Volgende.',
      "Vul in het volgende scherm alle gevraagde gegevens in en klik op 'Verbinden'.",
      'Waar u de gegevens in Wings Online vindt:',
      '- Gebruikersnaam / wachtwoord: API-gegevens (+ configuratie), te verkrijgen bij Wings. De gebruikersnaam begint altijd met Wings8 (bijvoorbeeld Wings8123).',
      '- Intern nummer: in de configuratie van Wings, te verkrijgen bij de klant.',
      'Vul deze gegevens in: gebruikersnaam, wachtwoord, intern nummer, dagboek klanten en dagboek leveranciers.',
    ),
    en: lines(
      'On the next screen, choose Wings Online and click Next.',
      'On the next screen, fill in all the required information and click Connect.',
      'Where to find the information in Wings Online:',
      '- User name / Password: the API details (+ configuration), provided by Wings. The user name always starts with Wings8 (for example Wings8123).',
      '- Internal number: in the Wings configuration, provided by the client.',
      'Enter this information: user name, password, internal number, accounts receivable journal and accounts payable journal.',
    ),
  },
  documentTypes: ['sales-invoice', 'purchase-invoice'],
  auth: 'credentials',
  steps: ['credentials'],
  fields: [
    {
      name: 'username',
      step: 'credentials',
      label: commonLabels.username,
      help: {
        fr: "Le nom d'utilisateur API fourni par Wings. Il commence toujours par Wings8, par exemple Wings8123.",
        nl: 'De API-gebruikersnaam die u van Wings krijgt. Hij begint altijd met Wings8, bijvoorbeeld Wings8123.',
        en: 'The API user name provided by Wings. It always starts with Wings8, for example Wings8123.',
      },
      input: 'text',
      secret: false,
      required: true,
      schema: requiredText('Enter the Wings API user name', {
        maxLength: 100,
        tooLong: 'A Wings user name is at most 100 characters',
      }).regex(/^Wings8/, 'The Wings user name always starts with Wings8, for example Wings8123'),
    },
    {
      name: 'password',
      step: 'credentials',
      label: commonLabels.password,
      help: {
        fr: 'Le mot de passe API fourni par Wings.',
        nl: 'Het API-wachtwoord dat u van Wings krijgt.',
        en: 'The API password provided by Wings.',
      },
      input: 'password',
      secret: true,
      required: true,
      schema: requiredText('Enter the Wings API password', {
        maxLength: 500,
        tooLong: 'A Wings API password is at most 500 characters',
      }),
    },
    {
      name: 'internalNumber',
      step: 'credentials',
      label: { fr: 'Numéro interne', nl: 'Intern nummer', en: 'Internal number' },
      help: {
        fr: 'Le numéro interne du dossier dans la configuration de Wings, fourni par le client.',
        nl: 'Het interne nummer van het dossier in de configuratie van Wings, te verkrijgen bij de klant.',
        en: "The file's internal number in the Wings configuration, provided by the client.",
      },
      input: 'number',
      secret: false,
      required: true,
      schema: positiveInteger('Enter the internal number from the Wings configuration (a whole number)'),
    },
    {
      name: 'receivablesJournal',
      step: 'credentials',
      label: { fr: 'Journal des comptes clients', nl: 'Dagboek klanten', en: 'Accounts receivable journal' },
      help: {
        fr: 'Le code du journal Wings qui reçoit les factures de vente.',
        nl: 'De code van het Wings-dagboek dat de verkoopfacturen ontvangt.',
        en: 'The code of the Wings journal that receives the sales invoices.',
      },
      input: 'text',
      secret: false,
      required: true,
      schema: journalCode('Enter the code of the accounts receivable journal'),
    },
    {
      name: 'payablesJournal',
      step: 'credentials',
      label: {
        fr: 'Journal des comptes fournisseurs',
        nl: 'Dagboek leveranciers',
        en: 'Accounts payable journal',
      },
      help: {
        fr: "Le code du journal Wings qui reçoit les factures d'achat.",
        nl: 'De code van het Wings-dagboek dat de aankoopfacturen ontvangt.',
        en: 'The code of the Wings journal that receives the purchase invoices.',
      },
      input: 'text',
      secret: false,
      required: true,
      schema: journalCode('Enter the code of the accounts payable journal'),
    },
  ],
  // e-FFF 3.0, as issue 13 and the task ask (some newer help pages name Peppol BIS Billing 3.0 for
  // Wings; no choice is offered either way).
  formats: [outputFormats.eFff3],
  limits: { maxDocumentBytes: DEFAULT_MAX_DOCUMENT_BYTES },
  termsVersion: TERMS_VERSION,
  available: true,
  // No public API: Relais talks to the contract written down as assumed in README.md.
  assumedContract: true,
};
