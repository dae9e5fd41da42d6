import type { ConnectorDescriptor } from '../types';
import {
  acceptTermsAndConnect,
  commonLabels,
  DEFAULT_MAX_DOCUMENT_BYTES,
  lines,
  outputFormats,
  TERMS_VERSION,
} from '../shared/catalogue';
import { requiredText } from '../shared/validators';

export const descriptor: ConnectorDescriptor = {
  id: 'onea',
  displayName: 'Onea',
  names: { fr: 'Onea', nl: 'Onea', en: 'Onea' },
  summary: {
    fr: 'Envoie les factures au format e-FFF vers Onea, qui les transmet au logiciel de comptabilité du dossier (Exact Online, Unit4 Venice ou Octopus).',
    nl: 'Stuurt de facturen in e-FFF-formaat naar Onea, dat ze doorgeeft aan het boekhoudpakket van het dossier (Exact Online, Unit4 Venice of Octopus).',
    en: "Sends the invoices as e-FFF to Onea, which passes them on to the dossier's accounting package (Exact Online, Unit4 Venice or Octopus).",
  },
  help: {
    fr: lines(
      'Dans la liste, choisissez Onea puis cliquez sur Suivant.',
      'Saisissez la clé API du compte vers lequel vous souhaitez envoyer les factures.',
      acceptTermsAndConnect.fr,
      'La connexion est validée et devrait maintenant être établie.',
      'Pour trouver la clé API, connectez-vous à la plateforme Onea correspondant à votre logiciel de comptabilité :',
      '- Exact Online : https://eis.onea.be',
      '- Unit4 Venice : https://vis.onea.be',
      '- Octopus : https://ois.onea.be',
      'Dans le coin supérieur droit, sélectionnez le dossier dont vous souhaitez obtenir la clé API.',
      "Cliquez sur l'icône de la clé : vous êtes redirigé vers les paramètres de la société.",
      'La clé API est affichée parmi les champs de la société et peut être copiée.',
    ),
    nl: lines(
      'Kies Onea in de lijst en klik op Volgende.',
      'Vul de API-sleutel in van het account waarnaar u de facturen wilt sturen.',
      acceptTermsAndConnect.nl,
      'De verbinding wordt gecontroleerd en zou nu tot stand gebracht moeten zijn.',
      'Om de API-sleutel te vinden, meldt u zich aan op het Onea-platform dat bij uw boekhoudpakket hoort:',
      '- Exact Online: https://eis.onea.be',
      '- Unit4 Venice: https://vis.onea.be',
      '- Octopus: https://ois.onea.be',
      'Selecteer rechtsboven het dossier waarvan u de API-sleutel nodig hebt.',
      'Klik op het sleutelpictogram: u komt in de instellingen van het bedrijf.',
      'De API-sleutel staat bij de velden van het bedrijf en kan gekopieerd worden.',
    ),
    en: lines(
      'Choose Onea in the list and click Next.',
      'Enter the API key of the account you want to send the invoices to.',
      acceptTermsAndConnect.en,
      'The connection is checked and should now be established.',
      'To find the API key, sign in to the Onea platform that matches your accounting package:',
      '- Exact Online: https://eis.onea.be',
      '- Unit4 Venice: https://vis.onea.be',
      '- Octopus: https://ois.onea.be',
      'In the top right corner, select the dossier whose API key you need.',
      "Click the key icon: you are taken to the company's settings.",
      "The API key is shown among the company's fields and can be copied.",
    ),
  },
  documentTypes: ['sales-invoice', 'purchase-invoice'],
  auth: 'api-key',
  steps: ['credentials', 'terms'],
  fields: [
    {
      name: 'apiKey',
      step: 'credentials',
      label: commonLabels.apiKey,
      help: {
        fr: "La clé API du dossier, sur eis.onea.be (Exact Online), vis.onea.be (Unit4 Venice) ou ois.onea.be (Octopus) : choisissez le dossier en haut à droite, puis cliquez sur l'icône de la clé.",
        nl: 'De API-sleutel van het dossier, op eis.onea.be (Exact Online), vis.onea.be (Unit4 Venice) of ois.onea.be (Octopus): kies rechtsboven het dossier en klik op het sleutelpictogram.',
        en: 'The API key of the dossier, on eis.onea.be (Exact Online), vis.onea.be (Unit4 Venice) or ois.onea.be (Octopus): choose the dossier at the top right, then click the key icon.',
      },
      input: 'password',
      secret: true,
      required: true,
      // Onea publishes no key format [assume]: one token of printable characters, nothing more is checked.
      schema: requiredText('Enter the Onea API key of the dossier', {
        maxLength: 200,
        tooLong: 'This is longer than an Onea API key: paste the key alone',
      }).regex(/^[\x21-\x7e]+$/, 'Paste the Onea API key alone, without spaces or line breaks'),
    },
  ],
  formats: [outputFormats.eFff3],
  limits: { maxDocumentBytes: DEFAULT_MAX_DOCUMENT_BYTES },
  termsVersion: TERMS_VERSION,
  available: true,
};
