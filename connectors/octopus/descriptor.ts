import type { ConnectorDescriptor } from '../types';
import { acceptTermsAndConnect, lines, outputFormats, TERMS_VERSION } from '../shared/catalogue';
import { mailboxSchema } from './mailbox';

export const descriptor: ConnectorDescriptor = {
  id: 'octopus',
  displayName: 'Octopus',
  names: { fr: 'Octopus', nl: 'Octopus', en: 'Octopus' },
  summary: {
    fr: 'Envoie chaque facture par e-mail, au format e-FFF, à la boîte aux lettres du dossier Octopus.',
    nl: 'Mailt elke factuur, in e-FFF-formaat, naar de mailbox van het Octopus-dossier.',
    en: "E-mails each invoice, as e-FFF, to the Octopus dossier's mailbox.",
  },
  help: {
    fr: lines(
      'Dans la liste, choisissez Octopus.',
      "Dans l'écran suivant, remplissez toutes les informations. Pour trouver l'adresse de la boîte aux lettres :",
      '- Ouvrez votre application cliente « Octopus Accounting » sur votre ordinateur et connectez-vous.',
      "- Dans le menu supérieur de l'application, allez dans « Gérer » → « Dossiers ».",
      "- Sélectionnez le dossier auquel vous souhaitez soumettre les documents : la fenêtre des détails du dossier s'ouvre.",
      '- Recherchez le champ « Boîte aux lettres » et copiez sa valeur.',
      '- Collez cette adresse e-mail dans le champ prévu à cet effet.',
      acceptTermsAndConnect.fr,
    ),
    nl: lines(
      'Kies Octopus in de lijst.',
      'Vul in het volgende scherm alle gegevens in. Zo vindt u het mailboxadres:',
      "- Open de clienttoepassing 'Octopus Accounting' op uw computer en meld u aan.",
      "- Ga in het bovenste menu van de toepassing naar 'Beheer' → 'Dossiers'.",
      '- Selecteer het dossier waarnaar u de documenten wilt sturen: het venster met de details van het dossier opent.',
      "- Zoek het veld 'Mailbox' en kopieer de waarde.",
      '- Plak dit e-mailadres in het daarvoor bestemde veld.',
      acceptTermsAndConnect.nl,
    ),
    en: lines(
      'Choose Octopus in the list.',
      'On the next screen, fill in all the information. To find the mailbox address:',
      '- Open the "Octopus Accounting" client application on your computer and sign in.',
      '- In the top menu of the application, go to "Manage" → "Dossiers".',
      '- Select the dossier you want to submit the documents to: the window with the dossier details opens.',
      '- Find the "Mailbox" field and copy its value.',
      '- Paste this e-mail address into the matching field.',
      acceptTermsAndConnect.en,
    ),
  },
  documentTypes: ['sales-invoice', 'purchase-invoice'],
  auth: 'email',
  steps: ['credentials', 'terms'],
  fields: [
    {
      name: 'mailbox',
      step: 'credentials',
      label: { fr: 'Boîte aux lettres', nl: 'Mailbox', en: 'Mailbox' },
      help: {
        fr: "L'adresse e-mail du champ « Boîte aux lettres » du dossier, dans Octopus sous « Gérer » → « Dossiers ». Elle se termine par @docin.octopus.be.",
        nl: "Het e-mailadres uit het veld 'Mailbox' van het dossier, in Octopus onder 'Beheer' → 'Dossiers'. Het eindigt op @docin.octopus.be.",
        en: 'The e-mail address in the dossier\'s "Mailbox" field, in Octopus under "Manage" → "Dossiers". It ends in @docin.octopus.be.',
      },
      input: 'email',
      secret: false,
      required: true,
      schema: mailboxSchema,
    },
  ],
  formats: [outputFormats.eFff3],
  // One mail per document: base64 makes the attachment a third larger, and mail servers commonly
  // refuse messages over 20-25 MB, so the document itself stays well under that.
  limits: { maxDocumentBytes: 10 * 1024 * 1024 },
  termsVersion: TERMS_VERSION,
  available: true,
};
