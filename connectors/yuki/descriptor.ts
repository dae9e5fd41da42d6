import { z } from 'zod';
import type { ConnectorDescriptor, Localized } from '../types';
import {
  commonLabels,
  DEFAULT_MAX_DOCUMENT_BYTES,
  lines,
  outputFormats,
  TERMS_VERSION,
} from '../shared/catalogue';
import { requiredText } from '../shared/validators';

/** The countries Yuki serves from hosts of their own: yukiworks.be and yukiworks.nl. */
export const yukiCountries = ['be', 'nl'] as const;
export type YukiCountry = (typeof yukiCountries)[number];

const countryLabels: Readonly<Record<YukiCountry, Localized>> = {
  be: { fr: 'Belgique (yukiworks.be)', nl: 'België (yukiworks.be)', en: 'Belgium (yukiworks.be)' },
  nl: { fr: 'Pays-Bas (yukiworks.nl)', nl: 'Nederland (yukiworks.nl)', en: 'Netherlands (yukiworks.nl)' },
};

/** Yuki publishes no document size limit [assume]: the catalogue's default ceiling. */
export const MAX_DOCUMENT_BYTES = DEFAULT_MAX_DOCUMENT_BYTES;

export const descriptor: ConnectorDescriptor = {
  id: 'yuki',
  displayName: 'Yuki',
  names: { fr: 'Yuki', nl: 'Yuki', en: 'Yuki' },
  summary: {
    fr: "Envoie les factures au format e-FFF vers l'administration Yuki de votre choix.",
    nl: 'Stuurt de facturen in e-FFF-formaat naar de Yuki-administratie van uw keuze.',
    en: 'Sends the invoices as e-FFF to the Yuki administration you choose.',
  },
  help: {
    fr: lines(
      "À l'écran suivant, choisissez Yuki puis cliquez sur Suivant.",
      'Saisissez votre clé API Yuki. Pour obtenir votre clé API depuis votre compte Yuki :',
      '- Accédez à yukiworks.be.',
      '- Cliquez sur « Plus » dans le menu de gauche et sélectionnez « Paramètres ».',
      '- Sur la page Paramètres, dans la carte « Intégrations », cliquez sur « Services Web ».',
      "- La page Services Web répertorie vos clés API et le nom de l'administration (indiqué sous « Société »). Assurez-vous que la clé API que vous utilisez est de type « Domaine ».",
      'Après avoir saisi votre clé API, cliquez sur « Se connecter avec Yuki ».',
      'Une liste déroulante des administrations apparaît : sélectionnez celle avec laquelle vous souhaitez travailler.',
      'Cliquez sur le bouton « Connecter ». Vous recevrez une confirmation que la connexion a réussi.',
    ),
    nl: lines(
      'Kies in het volgende scherm Yuki en klik op Volgende.',
      'Vul uw Yuki-API-sleutel in. Zo haalt u uw API-sleutel op in uw Yuki-account:',
      '- Ga naar yukiworks.be.',
      "- Klik in het menu links op 'Meer' en kies 'Instellingen'.",
      "- Klik op de pagina Instellingen, in de kaart 'Integraties', op 'Webservices'.",
      "- De pagina Webservices toont uw API-sleutels en de naam van de administratie (onder 'Bedrijf'). Zorg ervoor dat de API-sleutel die u gebruikt van het type 'Domein' is.",
      "Klik na het invullen van uw API-sleutel op 'Aanmelden met Yuki'.",
      'Er verschijnt een keuzelijst met administraties: selecteer de administratie waarmee u wilt werken.',
      "Klik op de knop 'Verbinden'. U krijgt een bevestiging dat de verbinding geslaagd is.",
    ),
    en: lines(
      'On the next screen, choose Yuki and click Next.',
      'Enter your Yuki API key. To get your API key from your Yuki account:',
      '- Go to yukiworks.be.',
      '- Click "More" in the left menu and select "Settings".',
      '- On the Settings page, in the "Integrations" card, click "Web services".',
      '- The Web services page lists your API keys and the name of the administration (shown under "Company"). Make sure the API key you use is of type "Domain".',
      'After entering your API key, click "Sign in with Yuki".',
      'A drop-down list of administrations appears: select the one you want to work with.',
      'Click the Connect button. You receive a confirmation that the connection succeeded.',
    ),
  },
  documentTypes: ['sales-invoice', 'purchase-invoice'],
  auth: 'api-key',
  steps: ['credentials', 'administration'],
  fields: [
    {
      name: 'apiKey',
      step: 'credentials',
      label: commonLabels.apiKey,
      help: {
        fr: 'Sur yukiworks.be : « Plus » → « Paramètres » → carte « Intégrations » → « Services Web ». Utilisez une clé de type « Domaine » : elle donne accès à toutes les administrations du domaine.',
        nl: "Op yukiworks.be: 'Meer' → 'Instellingen' → kaart 'Integraties' → 'Webservices'. Gebruik een sleutel van het type 'Domein': die geeft toegang tot alle administraties van het domein.",
        en: 'On yukiworks.be: "More" → "Settings" → "Integrations" card → "Web services". Use a key of type "Domain": it gives access to all the administrations of the domain.',
      },
      input: 'password',
      secret: true,
      required: true,
      schema: requiredText('Enter your Yuki API key (of type Domain)', {
        maxLength: 200,
        tooLong: 'A Yuki API key is at most 200 characters: copy only the key',
      }),
    },
    {
      name: 'country',
      step: 'credentials',
      label: { fr: 'Pays de Yuki', nl: 'Land van Yuki', en: 'Yuki country' },
      help: {
        fr: 'Le pays de votre administration Yuki : Belgique si vous travaillez sur yukiworks.be, Pays-Bas sur yukiworks.nl.',
        nl: 'Het land van uw Yuki-administratie: België als u op yukiworks.be werkt, Nederland op yukiworks.nl.',
        en: 'The country of your Yuki administration: Belgium if you work on yukiworks.be, the Netherlands on yukiworks.nl.',
      },
      // Yuki serves each country's domains from its own host (api.yukiworks.be / .nl); a key sent to the
      // other host is refused as unknown, so the host is chosen here, with the administration's country.
      input: 'select',
      secret: false,
      required: true,
      default: 'be',
      options: yukiCountries.map((country) => ({ value: country, label: countryLabels[country] })),
      schema: z.enum(yukiCountries, {
        error: 'Choose the country of your Yuki administration (Belgium or the Netherlands)',
      }),
    },
  ],
  formats: [outputFormats.eFff3],
  administration: { allowAllCurrentAndFuture: false, multiple: false },
  // 1,000 web-service calls per domain per day unless the domain pays for more (5,000 / 10,000). A
  // delivery costs the search for an earlier upload and the upload, plus Authenticate when the cached
  // session is gone or refused (at most 5 calls: a refused session costs an Authenticate and a repeat).
  limits: { requestsPerDay: 1000, callsPerDelivery: 5, maxDocumentBytes: MAX_DOCUMENT_BYTES },
  termsVersion: TERMS_VERSION,
  available: true,
};
