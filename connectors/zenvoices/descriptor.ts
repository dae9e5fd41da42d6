import type { ConnectorDescriptor } from '../types';
import {
  commonLabels,
  DEFAULT_MAX_DOCUMENT_BYTES,
  lines,
  outputFormats,
  TERMS_VERSION,
} from '../shared/catalogue';
import { requiredText } from '../shared/validators';

export const descriptor: ConnectorDescriptor = {
  id: 'zenvoices',
  displayName: 'Zenvoices',
  names: { fr: 'Zenvoices', nl: 'Zenvoices', en: 'Zenvoices' },
  summary: {
    fr: 'Envoie les factures au format e-FFF dans la boîte de réception Zenvoices de votre société.',
    nl: 'Stuurt de facturen in e-FFF-formaat naar de Zenvoices-inbox van uw bedrijf.',
    en: "Sends the invoices as e-FFF to your company's Zenvoices inbox.",
  },
  help: {
    fr: lines(
      'Sélectionnez Zenvoices dans la liste et cliquez sur Suivant.',
      "Sur l'écran suivant, remplissez toutes les informations requises pour vous authentifier auprès de Zenvoices. Ce sont les mêmes que vos informations de connexion dans Zenvoices.",
      "Enfin, acceptez les conditions d'utilisation et cliquez sur « Connecter ».",
    ),
    nl: lines(
      'Selecteer Zenvoices in de lijst en klik op Volgende.',
      'Vul in het volgende scherm alle gegevens in die nodig zijn om u bij Zenvoices aan te melden. Dit zijn dezelfde gegevens waarmee u zich in Zenvoices aanmeldt.',
      "Aanvaard ten slotte de gebruiksvoorwaarden en klik op 'Verbinden'.",
    ),
    en: lines(
      'Select Zenvoices in the list and click Next.',
      'On the next screen, fill in all the information needed to sign in to Zenvoices. It is the same as the details you sign in to Zenvoices with.',
      'Finally, accept the terms of service and click Connect.',
    ),
  },
  documentTypes: ['sales-invoice', 'purchase-invoice'],
  auth: 'credentials',
  steps: ['credentials', 'terms'],
  fields: [
    {
      name: 'username',
      step: 'credentials',
      label: {
        fr: "Nom d'utilisateur ou adresse e-mail",
        nl: 'Gebruikersnaam of e-mailadres',
        en: 'User name or e-mail address',
      },
      help: {
        fr: "Le nom d'utilisateur ou l'adresse e-mail avec lequel vous vous connectez à Zenvoices.",
        nl: 'De gebruikersnaam of het e-mailadres waarmee u zich in Zenvoices aanmeldt.',
        en: 'The user name or e-mail address you sign in to Zenvoices with.',
      },
      input: 'text',
      secret: false,
      required: true,
      schema: requiredText('Enter your Zenvoices user name or e-mail address'),
    },
    {
      name: 'password',
      step: 'credentials',
      label: commonLabels.password,
      help: {
        fr: 'Le mot de passe avec lequel vous vous connectez à Zenvoices.',
        nl: 'Het wachtwoord waarmee u zich in Zenvoices aanmeldt.',
        en: 'The password you sign in to Zenvoices with.',
      },
      input: 'password',
      secret: true,
      required: true,
      schema: requiredText('Enter your Zenvoices password'),
    },
    {
      name: 'organisationCode',
      step: 'credentials',
      label: { fr: "Code de l'organisation", nl: 'Organisatiecode', en: 'Organisation code' },
      help: {
        fr: 'Le code de votre organisation, tel que vous le saisissez à la connexion à Zenvoices.',
        nl: 'De code van uw organisatie, zoals u die bij het aanmelden in Zenvoices invult.',
        en: 'The code of your organisation, as you enter it when signing in to Zenvoices.',
      },
      input: 'text',
      secret: false,
      required: true,
      schema: requiredText('Enter your Zenvoices organisation code'),
    },
    {
      name: 'companyCode',
      step: 'credentials',
      label: { fr: 'Code de la société', nl: 'Bedrijfscode', en: 'Company code' },
      help: {
        fr: 'Le code, dans Zenvoices, de la société qui doit recevoir les factures.',
        nl: 'De code, in Zenvoices, van het bedrijf dat de facturen moet ontvangen.',
        en: 'The code, in Zenvoices, of the company that should receive the invoices.',
      },
      input: 'text',
      secret: false,
      required: true,
      schema: requiredText('Enter the Zenvoices code of the company'),
    },
  ],
  formats: [outputFormats.eFff3],
  limits: { maxDocumentBytes: DEFAULT_MAX_DOCUMENT_BYTES },
  termsVersion: TERMS_VERSION,
  available: false,
};
