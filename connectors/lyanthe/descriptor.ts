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
  id: 'lyanthe',
  displayName: 'Lyanthe',
  names: { fr: 'Lyanthe', nl: 'Lyanthe', en: 'Lyanthe' },
  summary: {
    fr: "Envoie les factures vers l'administration Lyanthe de votre choix, au format e-FFF.",
    nl: 'Stuurt de facturen naar de Lyanthe-administratie van uw keuze, in e-FFF-formaat.',
    en: 'Sends the invoices to the Lyanthe administration you choose, as e-FFF.',
  },
  help: {
    fr: lines(
      'Sélectionnez Lyanthe dans la liste et cliquez sur Suivant.',
      "Dans l'écran suivant, entrez les informations de connexion demandées pour vous authentifier auprès de Lyanthe. Ce sont les mêmes que vos informations de connexion dans Lyanthe.",
      'Après une authentification réussie, sélectionnez la bonne administration.',
      "Enfin, acceptez les conditions d'utilisation et cliquez sur « Connecter ».",
    ),
    nl: lines(
      'Selecteer Lyanthe in de lijst en klik op Volgende.',
      'Vul in het volgende scherm de gevraagde inloggegevens in om u bij Lyanthe aan te melden. Dit zijn dezelfde gegevens waarmee u zich in Lyanthe aanmeldt.',
      'Selecteer na een geslaagde aanmelding de juiste administratie.',
      "Aanvaard ten slotte de gebruiksvoorwaarden en klik op 'Verbinden'.",
    ),
    en: lines(
      'Select Lyanthe in the list and click Next.',
      'On the next screen, enter the requested login details to sign in to Lyanthe. They are the same as the details you sign in to Lyanthe with.',
      'Once signed in, select the right administration.',
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
      label: commonLabels.username,
      help: {
        fr: "Le nom d'utilisateur avec lequel vous vous connectez à Lyanthe.",
        nl: 'De gebruikersnaam waarmee u zich in Lyanthe aanmeldt.',
        en: 'The user name you sign in to Lyanthe with.',
      },
      input: 'text',
      secret: false,
      required: true,
      schema: requiredText('Enter your Lyanthe user name', { maxLength: 256 }),
    },
    {
      name: 'password',
      step: 'credentials',
      label: commonLabels.password,
      help: {
        fr: 'Le mot de passe avec lequel vous vous connectez à Lyanthe.',
        nl: 'Het wachtwoord waarmee u zich in Lyanthe aanmeldt.',
        en: 'The password you sign in to Lyanthe with.',
      },
      input: 'password',
      secret: true,
      required: true,
      schema: requiredText('Enter your Lyanthe password', {
        maxLength: 1024,
        tooLong: 'This is too long to be a password',
      }),
    },
  ],
  formats: [outputFormats.eFff3],
  administration: { allowAllCurrentAndFuture: false, multiple: false },
  limits: { maxDocumentBytes: DEFAULT_MAX_DOCUMENT_BYTES },
  termsVersion: TERMS_VERSION,
  available: true,
  assumedContract: true,
};
