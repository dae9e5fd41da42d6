import type { ConnectorDescriptor } from '../types';
import {
  commonLabels,
  DEFAULT_MAX_DOCUMENT_BYTES,
  lines,
  outputFormats,
  TERMS_VERSION,
} from '../shared/catalogue';
import { belgianVatNumber, httpsUrl, requiredText } from '../shared/validators';

export const descriptor: ConnectorDescriptor = {
  id: 'bocount',
  displayName: 'BoCount',
  names: { fr: 'BoCount', nl: 'BoCount', en: 'BoCount' },
  summary: {
    fr: 'Envoie les factures vers le dossier BoCount de votre client, au format e-FFF, via le service web de votre comptable.',
    nl: 'Stuurt de facturen naar het BoCount-dossier van uw klant, in e-FFF-formaat, via de webservice van uw boekhouder.',
    en: "Sends the invoices to your client's BoCount file, as e-FFF, through your accountant's web service.",
  },
  help: {
    fr: lines(
      'Dans la liste, choisissez BoCount et appuyez sur Suivant.',
      "Dans l'écran suivant, remplissez toutes les informations requises et appuyez sur « Connecter » :",
      "- Nom d'utilisateur / Mot de passe : identifiants du service web, propres à chaque client (fournis par BoCount).",
      "- Numéro d'entreprise : numéro de TVA du dossier (fourni par le client).",
      '- URL de base : URL de base du service web, différente pour chaque comptable (fournie par BoCount).',
    ),
    nl: lines(
      'Kies BoCount in de lijst en klik op Volgende.',
      "Vul in het volgende scherm alle gevraagde gegevens in en klik op 'Verbinden':",
      '- Gebruikersnaam / wachtwoord: de inloggegevens van de webservice, per klant (te verkrijgen bij BoCount).',
      '- Ondernemingsnummer: het btw-nummer van het dossier (te verkrijgen bij de klant).',
      '- Basis-URL: de basis-URL van de webservice, verschillend per boekhouder (te verkrijgen bij BoCount).',
    ),
    en: lines(
      'Choose BoCount in the list and click Next.',
      'On the next screen, fill in all the required information and click Connect:',
      '- User name / Password: the web service credentials, one set per client (provided by BoCount).',
      "- Company number: the VAT number of the client's file (provided by the client).",
      '- Base URL: the base URL of the web service, different for each accountant (provided by BoCount).',
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
        fr: 'Identifiant du service web BoCount pour ce client, fourni par BoCount.',
        nl: 'Gebruikersnaam van de BoCount-webservice voor deze klant, te verkrijgen bij BoCount.',
        en: 'The BoCount web service user name for this client, provided by BoCount.',
      },
      input: 'text',
      secret: false,
      required: true,
      schema: requiredText('Enter the BoCount web service user name', { maxLength: 255 }),
    },
    {
      name: 'password',
      step: 'credentials',
      label: commonLabels.password,
      help: {
        fr: 'Mot de passe du service web BoCount pour ce client, fourni par BoCount.',
        nl: 'Wachtwoord van de BoCount-webservice voor deze klant, te verkrijgen bij BoCount.',
        en: 'The BoCount web service password for this client, provided by BoCount.',
      },
      input: 'password',
      secret: true,
      required: true,
      schema: requiredText('Enter the BoCount web service password', { maxLength: 1024 }),
    },
    {
      name: 'companyNumber',
      step: 'credentials',
      label: { fr: "Numéro d'entreprise", nl: 'Ondernemingsnummer', en: 'Company number' },
      help: {
        fr: 'Le numéro de TVA du dossier du client, par exemple BE0123456749.',
        nl: 'Het btw-nummer van het dossier van de klant, bijvoorbeeld BE0123456749.',
        en: "The VAT number of the client's file, for example BE0123456749.",
      },
      input: 'text',
      secret: false,
      required: true,
      schema: belgianVatNumber("Enter the VAT number of the client's file"),
    },
    {
      name: 'baseUrl',
      step: 'credentials',
      label: { fr: 'URL de base', nl: 'Basis-URL', en: 'Base URL' },
      help: {
        fr: "L'adresse du service web BoCount de votre comptable (elle diffère d'un comptable à l'autre), fournie par BoCount. Elle commence par https://.",
        nl: 'Het adres van de BoCount-webservice van uw boekhouder (verschillend per boekhouder), te verkrijgen bij BoCount. Het begint met https://.',
        en: "The address of your accountant's BoCount web service (it differs per accountant), provided by BoCount. It starts with https://.",
      },
      input: 'url',
      secret: false,
      required: true,
      schema: httpsUrl('Enter the base URL of the BoCount web service'),
    },
  ],
  formats: [outputFormats.eFff3],
  limits: { maxDocumentBytes: DEFAULT_MAX_DOCUMENT_BYTES },
  termsVersion: TERMS_VERSION,
  available: true,
  assumedContract: true,
};
