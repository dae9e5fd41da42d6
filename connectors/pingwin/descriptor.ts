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
  id: 'pingwin',
  displayName: 'PingWin',
  names: { fr: 'PingWin', nl: 'PingWin', en: 'PingWin' },
  summary: {
    fr: 'Envoie les factures vers votre fichier PingWin, au format e-FFF.',
    nl: 'Stuurt de facturen naar uw PingWin-bestand, in e-FFF-formaat.',
    en: 'Sends the invoices to your PingWin file, as e-FFF.',
  },
  help: {
    fr: lines(
      'Dans la liste, choisissez PingWin et cliquez sur Suivant.',
      'Ensuite, remplissez les détails de connexion de votre fichier. Ces valeurs se trouvent dans le client de bureau PingWin : connectez-vous à votre client de bureau PingWin et allez dans vos « Paramètres de fichier ».',
      '- Clé API : vous la trouverez dans ces paramètres.',
      '- CLID : vous pouvez demander cet identifiant au support PingWin : PingWin@vercruysse.be.',
      '- ID du fichier : vous le trouverez sous « Paramètres de fichier » → « Informations sur le fichier », dans le coin supérieur droit.',
      acceptTermsAndConnect.fr,
    ),
    nl: lines(
      'Kies PingWin in de lijst en klik op Volgende.',
      "Vul daarna de verbindingsgegevens van uw bestand in. Deze waarden vindt u in de PingWin-desktopclient: meld u aan in de PingWin-desktopclient en ga naar uw 'Bestandsinstellingen'.",
      '- API-sleutel: die vindt u in deze instellingen.',
      '- CLID: deze identificatie kunt u aanvragen bij de PingWin-support: PingWin@vercruysse.be.',
      "- Bestands-ID: die vindt u onder 'Bestandsinstellingen' → 'Bestandsinformatie', rechtsboven.",
      acceptTermsAndConnect.nl,
    ),
    en: lines(
      'Choose PingWin in the list and click Next.',
      'Then fill in the connection details of your file. You find these values in the PingWin desktop client: sign in to the PingWin desktop client and go to your "File settings".',
      '- API key: you find it in these settings.',
      '- CLID: you can ask PingWin support for this identifier: PingWin@vercruysse.be.',
      '- File ID: you find it under "File settings" → "File information", in the top right corner.',
      acceptTermsAndConnect.en,
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
        fr: 'Dans le client de bureau PingWin, sous « Paramètres de fichier ».',
        nl: "In de PingWin-desktopclient, onder 'Bestandsinstellingen'.",
        en: 'In the PingWin desktop client, under "File settings".',
      },
      input: 'password',
      secret: true,
      required: true,
      schema: requiredText('Enter the PingWin API key of your file', {
        maxLength: 500,
        tooLong: 'A PingWin API key is at most 500 characters: paste only the key',
      }),
    },
    {
      name: 'clid',
      step: 'credentials',
      label: { fr: 'CLID', nl: 'CLID', en: 'CLID' },
      help: {
        fr: 'Demandez cet identifiant au support PingWin : PingWin@vercruysse.be.',
        nl: 'Vraag deze identificatie aan bij de PingWin-support: PingWin@vercruysse.be.',
        en: 'Ask PingWin support for this identifier: PingWin@vercruysse.be.',
      },
      input: 'text',
      secret: false,
      required: true,
      schema: requiredText('Enter the CLID you received from PingWin support (PingWin@vercruysse.be)', {
        maxLength: 100,
        tooLong: 'A PingWin CLID is at most 100 characters',
      }),
    },
    {
      name: 'fileId',
      step: 'credentials',
      label: { fr: 'ID du fichier', nl: 'Bestands-ID', en: 'File ID' },
      help: {
        fr: 'Dans le client de bureau PingWin, sous « Paramètres de fichier » → « Informations sur le fichier », en haut à droite.',
        nl: "In de PingWin-desktopclient, onder 'Bestandsinstellingen' → 'Bestandsinformatie', rechtsboven.",
        en: 'In the PingWin desktop client, under "File settings" → "File information", at the top right.',
      },
      input: 'text',
      secret: false,
      required: true,
      schema: requiredText('Enter the ID of your PingWin file', {
        maxLength: 100,
        tooLong: 'A PingWin file ID is at most 100 characters',
      }),
    },
  ],
  formats: [outputFormats.eFff3],
  limits: { maxDocumentBytes: DEFAULT_MAX_DOCUMENT_BYTES },
  termsVersion: TERMS_VERSION,
  available: true,
  // No public API: Relais talks to the contract written down as assumed in README.md.
  assumedContract: true,
};
