import type { ConnectorDescriptor } from '../types';
import {
  commonLabels,
  DEFAULT_MAX_DOCUMENT_BYTES,
  lines,
  outputFormats,
  TERMS_VERSION,
} from '../shared/catalogue';
import { requiredText } from '../shared/validators';

/**
 * An administration's inbox: Zenvoices gives every administration (and journal) an address at
 * to-zenvoices.com; public examples look like `10130.3195@to-zenvoices.com` [3rd].
 */
const zenvoicesMailbox = requiredText("Enter the administration's Zenvoices e-mail address", {
  maxLength: 254,
}).regex(
  /^[a-z0-9._+-]+@to-zenvoices\.com$/i,
  'Enter the address Zenvoices shows for the administration: it ends in @to-zenvoices.com',
);

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
      "Après une authentification réussie, sélectionnez l'administration qui doit recevoir les factures.",
      "Les factures arrivent par e-mail à l'adresse @to-zenvoices.com de l'administration : dans Zenvoices, ajoutez l'adresse d'expéditeur indiquée sur la connexion (senderAddress) aux expéditeurs autorisés du filtre anti-spam.",
      "Enfin, acceptez les conditions d'utilisation et cliquez sur « Connecter ».",
    ),
    nl: lines(
      'Selecteer Zenvoices in de lijst en klik op Volgende.',
      'Vul in het volgende scherm alle gegevens in die nodig zijn om u bij Zenvoices aan te melden. Dit zijn dezelfde gegevens waarmee u zich in Zenvoices aanmeldt.',
      'Selecteer na een geslaagde aanmelding de administratie die de facturen moet ontvangen.',
      'De facturen komen per e-mail toe op het @to-zenvoices.com-adres van de administratie: voeg in Zenvoices het afzenderadres dat bij de koppeling staat (senderAddress) toe aan de toegestane afzenders van de spamfilter.',
      "Aanvaard ten slotte de gebruiksvoorwaarden en klik op 'Verbinden'.",
    ),
    en: lines(
      'Select Zenvoices in the list and click Next.',
      'On the next screen, fill in all the information needed to sign in to Zenvoices. It is the same as the details you sign in to Zenvoices with.',
      'Once signed in, select the administration that should receive the invoices.',
      "The invoices arrive by e-mail at the administration's @to-zenvoices.com address: in Zenvoices, add the sender address shown on the connection (senderAddress) to the spam filter's allowed senders.",
      'Finally, accept the terms of service and click Connect.',
    ),
  },
  documentTypes: ['sales-invoice', 'purchase-invoice'],
  auth: 'credentials',
  steps: ['credentials', 'administration', 'terms'],
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
      schema: requiredText('Enter your Zenvoices user name or e-mail address', { maxLength: 256 }),
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
      schema: requiredText('Enter your Zenvoices password', {
        maxLength: 1024,
        tooLong: 'This is too long to be a password',
      }),
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
      schema: requiredText('Enter your Zenvoices organisation code', { maxLength: 64 }),
    },
    {
      name: 'mailbox',
      step: 'administration',
      label: {
        fr: "Adresse e-mail de l'administration",
        nl: 'E-mailadres van de administratie',
        en: "The administration's e-mail address",
      },
      help: {
        fr: "Seulement si Zenvoices ne la donne pas pour l'administration choisie : l'adresse @to-zenvoices.com à laquelle l'administration reçoit ses documents, dans Zenvoices.",
        nl: 'Alleen als Zenvoices het niet geeft voor de gekozen administratie: het @to-zenvoices.com-adres waarop de administratie haar documenten ontvangt, in Zenvoices.',
        en: 'Only when Zenvoices does not give it for the chosen administration: the @to-zenvoices.com address at which the administration receives its documents, in Zenvoices.',
      },
      input: 'email',
      secret: false,
      required: false,
      schema: zenvoicesMailbox,
    },
  ],
  formats: [outputFormats.eFff3],
  administration: { allowAllCurrentAndFuture: false, multiple: false },
  limits: { maxDocumentBytes: DEFAULT_MAX_DOCUMENT_BYTES },
  termsVersion: TERMS_VERSION,
  available: true,
  // The sign-in is documented; the administration list's path and fields are not (README.md).
  assumedContract: true,
};
