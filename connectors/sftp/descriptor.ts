import { isIP } from 'node:net';
import { z } from 'zod';
import type { ConnectorDescriptor, Localized } from '../types';
import {
  commonLabels,
  DEFAULT_MAX_DOCUMENT_BYTES,
  lines,
  outputFormats,
  TERMS_VERSION,
} from '../shared/catalogue';
import { positiveInteger, requiredText } from '../shared/validators';
import { DEFAULT_UPLOAD_PATH, uploadPathSchema } from './upload-path';

export const DEFAULT_SFTP_PORT = 22;

const hostnamePattern =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

/** Why a host field value is not a bare host name or IP address; undefined when it is one. */
function hostProblem(host: string): string | undefined {
  if (isIP(host)) return undefined;
  if (host.includes('://')) return 'Enter only the host name, without sftp:// or https:// in front';
  if (host.includes('/')) return 'Enter only the host name, without a folder: the folder goes in Upload path';
  if (/:\d+$/.test(host)) return 'Enter only the host name here; the port number goes in the Port field';
  if (host.includes('@')) return 'Enter only the host name here; the user name goes in its own field';
  if (!hostnamePattern.test(host)) return 'Enter a host name such as sftp.example.com, or an IP address';
  return undefined;
}

const portMessage = 'Enter a port number between 1 and 65535 (usually 22)';

/** Optional secrets: an empty input means "not given"; which of the two is needed is checked together. */
const optionalSecret = z
  .string()
  .max(16_384, 'This is too long to be a password or key')
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value));

const privateKeyShape =
  /^-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY-----\r?\n[\s\S]+\r?\n-----END ([A-Z0-9]+ )*PRIVATE KEY-----$/;

export const fieldSchemas = {
  username: requiredText('Enter the user name of the SSH account', { maxLength: 255 }),
  password: optionalSecret,
  // Pasted keys come with stray blank lines around them; the key text itself ends with a newline.
  privateKey: optionalSecret
    .transform((key) => (key === undefined ? undefined : `${key.trim()}\n`))
    .superRefine((key, context) => {
      if (key === undefined) return;
      const text = key.trim();
      if (!privateKeyShape.test(text)) {
        context.addIssue({
          code: 'custom',
          message:
            'Paste the whole private key, from the line -----BEGIN … PRIVATE KEY----- to the line -----END … PRIVATE KEY-----',
        });
      } else if (/^Proc-Type: 4,ENCRYPTED/m.test(text)) {
        context.addIssue({ code: 'custom', message: 'Use a private key without a passphrase' });
      }
    }),
  host: requiredText('Enter the host name or IP address of the SFTP server', { maxLength: 253 }).superRefine(
    (host, context) => {
      const problem = hostProblem(host);
      if (problem) context.addIssue({ code: 'custom', message: problem });
    },
  ),
  port: positiveInteger(portMessage).max(65_535, portMessage),
  uploadPath: uploadPathSchema,
  trustHostKey: z
    .string()
    .trim()
    .regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'Enter the fingerprint as SHA256: followed by 43 characters')
    .optional(),
};

const fieldLabels = {
  host: { fr: 'Hôte', nl: 'Host', en: 'Host' },
  port: { fr: 'Port', nl: 'Poort', en: 'Port' },
  privateKey: { fr: 'Clé privée', nl: 'Privésleutel', en: 'Private key' },
  uploadPath: { fr: 'Chemin de dépôt (upload path)', nl: 'Uploadpad', en: 'Upload path' },
  trustHostKey: { fr: "Clé d'hôte approuvée", nl: 'Vertrouwde hostsleutel', en: 'Trusted host key' },
} satisfies Record<string, Localized>;

const uploadPathHelp: Localized = {
  fr:
    "Le dossier où déposer les factures, relatif au dossier de l'utilisateur SFTP. S'il n'est pas spécifié, " +
    `le chemin par défaut ${DEFAULT_UPLOAD_PATH} sera utilisé. Variables possibles : [external_id] (l'identifiant ` +
    "externe de l'entreprise sur la plateforme), [uen_number] (le numéro d'entreprise BCE), [invoice_type] " +
    '(purchases pour les achats, sales pour les ventes) et [year] (l’année de la facture). ' +
    'Exemple : Invoice_import/[uen_number]/[invoice_type]/[year]/',
  nl:
    'De map waarin de facturen terechtkomen, relatief ten opzichte van de map van de SFTP-gebruiker. Als u niets ' +
    `opgeeft, wordt het standaardpad ${DEFAULT_UPLOAD_PATH} gebruikt. Mogelijke variabelen: [external_id] (de ` +
    'externe id van het bedrijf op het platform), [uen_number] (het KBO-ondernemingsnummer), [invoice_type] ' +
    '(purchases voor aankopen, sales voor verkopen) en [year] (het jaar van de factuur). ' +
    'Voorbeeld: Invoice_import/[uen_number]/[invoice_type]/[year]/',
  en:
    'The folder to put the invoices in, relative to the SFTP user’s folder. If not specified, the default path ' +
    `${DEFAULT_UPLOAD_PATH} is used. Available variables: [external_id] (the company's external id on the ` +
    'platform), [uen_number] (the enterprise number), [invoice_type] (purchases for purchase invoices, sales ' +
    'for sales invoices) and [year] (the year of the invoice). ' +
    'Example: Invoice_import/[uen_number]/[invoice_type]/[year]/',
};

/** SFTP: each invoice becomes a UBL file in a folder of the customer's own SFTP server. */
export const sftpDescriptor: ConnectorDescriptor = {
  id: 'sftp',
  displayName: 'SFTP',
  names: { fr: 'SFTP', nl: 'SFTP', en: 'SFTP' },
  summary: {
    fr: 'Dépose chaque facture en UBL dans un dossier de votre propre serveur SFTP.',
    nl: 'Plaatst elke factuur als UBL-bestand in een map op uw eigen SFTP-server.',
    en: 'Puts each invoice as a UBL file into a folder on your own SFTP server.',
  },
  help: {
    fr: lines(
      '1. Choisissez SFTP.',
      "2. Si disponible, sélectionnez le format UBL que vous souhaitez utiliser. Sinon, passez à l'étape suivante.",
      '3. Entrez les détails de votre serveur SFTP récepteur :',
      "- Nom d'utilisateur : le nom d'utilisateur de votre compte SSH.",
      '- Mot de passe : le mot de passe de votre compte SSH. Vous pouvez aussi coller une clé privée à la place (ou en plus).',
      "- Hôte : le nom d'hôte ou l'adresse IP du serveur SFTP.",
      '- Port : le port sur lequel le serveur écoute les connexions SFTP. La valeur par défaut est 22 mais un autre port peut être utilisé si votre serveur SFTP a une configuration personnalisée.',
      `- Upload path : spécifiez votre propre chemin vers lequel vous souhaitez télécharger les factures. S'il n'est pas spécifié, le chemin par défaut ${DEFAULT_UPLOAD_PATH} sera utilisé. Il peut contenir les variables [external_id], [uen_number], [invoice_type] et [year].`,
      "4. Lisez et acceptez les conditions d'utilisation pour continuer, puis cliquez sur Connecter. L'application devrait maintenant être active.",
      "Lors de la connexion, nous retenons l'empreinte de la clé d'hôte de votre serveur. Si elle change (par exemple après une réinstallation), les envois s'arrêtent jusqu'à ce que vous reconnectiez l'application.",
    ),
    nl: lines(
      '1. Kies SFTP.',
      '2. Selecteer, indien beschikbaar, het UBL-formaat dat u wilt gebruiken. Ga anders naar de volgende stap.',
      '3. Vul de gegevens van uw ontvangende SFTP-server in:',
      '- Gebruikersnaam: de gebruikersnaam van uw SSH-account.',
      '- Wachtwoord: het wachtwoord van uw SSH-account. U kunt in plaats daarvan (of daarnaast) ook een privésleutel plakken.',
      '- Host: de hostnaam of het IP-adres van de SFTP-server.',
      '- Poort: de poort waarop de server luistert naar SFTP-verbindingen. De standaardwaarde is 22, maar een andere poort kan gebruikt worden als uw SFTP-server een aangepaste configuratie heeft.',
      `- Upload path: geef uw eigen pad op waarnaar u de facturen wilt uploaden. Als u niets opgeeft, wordt het standaardpad ${DEFAULT_UPLOAD_PATH} gebruikt. Het mag de variabelen [external_id], [uen_number], [invoice_type] en [year] bevatten.`,
      '4. Lees en aanvaard de gebruiksvoorwaarden om verder te gaan en klik op Verbinden. De toepassing zou nu actief moeten zijn.',
      'Bij het verbinden onthouden we de vingerafdruk van de hostsleutel van uw server. Als die verandert (bijvoorbeeld na een herinstallatie), stoppen de verzendingen tot u de toepassing opnieuw verbindt.',
    ),
    en: lines(
      '1. Choose SFTP.',
      '2. If available, select the UBL format you want to use. Otherwise, go to the next step.',
      '3. Enter the details of your receiving SFTP server:',
      '- User name: the user name of your SSH account.',
      '- Password: the password of your SSH account. You can also paste a private key instead (or as well).',
      '- Host: the host name or IP address of the SFTP server.',
      '- Port: the port on which the server listens for SFTP connections. The default is 22, but another port can be used if your SFTP server has a custom configuration.',
      `- Upload path: your own path to upload the invoices to. If not specified, the default path ${DEFAULT_UPLOAD_PATH} is used. It may contain the variables [external_id], [uen_number], [invoice_type] and [year].`,
      '4. Read and accept the terms of use to continue, then click Connect. The application should now be active.',
      "When connecting, we record the fingerprint of your server's host key. If it changes (for example after a reinstallation), deliveries stop until you reconnect the application.",
    ),
  },
  documentTypes: ['sales-invoice', 'purchase-invoice'],
  auth: 'sftp',
  steps: ['format', 'credentials', 'terms'],
  fields: [
    {
      name: 'username',
      step: 'credentials',
      label: commonLabels.username,
      help: {
        fr: "Le nom d'utilisateur de votre compte SSH.",
        nl: 'De gebruikersnaam van uw SSH-account.',
        en: 'The user name of your SSH account.',
      },
      input: 'text',
      secret: false,
      required: true,
      schema: fieldSchemas.username,
    },
    {
      name: 'password',
      step: 'credentials',
      label: commonLabels.password,
      help: {
        fr: 'Le mot de passe de votre compte SSH. Facultatif si vous collez une clé privée.',
        nl: 'Het wachtwoord van uw SSH-account. Optioneel als u een privésleutel plakt.',
        en: 'The password of your SSH account. Optional if you paste a private key.',
      },
      input: 'password',
      secret: true,
      required: false,
      schema: fieldSchemas.password,
    },
    {
      name: 'privateKey',
      step: 'credentials',
      label: fieldLabels.privateKey,
      help: {
        fr: 'Facultatif : la clé privée (format OpenSSH ou PEM, sans phrase de passe) dont la clé publique figure dans les authorized_keys du compte SSH.',
        nl: 'Optioneel: de privésleutel (OpenSSH- of PEM-formaat, zonder wachtwoordzin) waarvan de publieke sleutel in de authorized_keys van het SSH-account staat.',
        en: "Optional: the private key (OpenSSH or PEM format, without a passphrase) whose public key is in the SSH account's authorized_keys.",
      },
      input: 'textarea',
      secret: true,
      required: false,
      schema: fieldSchemas.privateKey,
    },
    {
      name: 'host',
      step: 'credentials',
      label: fieldLabels.host,
      help: {
        fr: "Le nom d'hôte ou l'adresse IP du serveur SFTP, sans sftp:// ni chemin (par exemple sftp.example.com).",
        nl: 'De hostnaam of het IP-adres van de SFTP-server, zonder sftp:// en zonder pad (bijvoorbeeld sftp.example.com).',
        en: 'The host name or IP address of the SFTP server, without sftp:// or a path (for example sftp.example.com).',
      },
      input: 'text',
      secret: false,
      required: true,
      schema: fieldSchemas.host,
    },
    {
      name: 'port',
      step: 'credentials',
      label: fieldLabels.port,
      help: {
        fr: 'Le port sur lequel le serveur écoute les connexions SFTP. La valeur par défaut est 22.',
        nl: 'De poort waarop de server luistert naar SFTP-verbindingen. De standaardwaarde is 22.',
        en: 'The port on which the server listens for SFTP connections. The default is 22.',
      },
      input: 'number',
      secret: false,
      required: true,
      default: DEFAULT_SFTP_PORT,
      schema: fieldSchemas.port,
    },
    {
      name: 'uploadPath',
      step: 'credentials',
      label: fieldLabels.uploadPath,
      help: uploadPathHelp,
      input: 'text',
      secret: false,
      required: false,
      default: DEFAULT_UPLOAD_PATH,
      schema: fieldSchemas.uploadPath,
    },
    {
      name: 'trustHostKey',
      step: 'credentials',
      label: fieldLabels.trustHostKey,
      help: {
        fr: "Laissez vide lors de la première connexion. Si la clé d'hôte du serveur a changé volontairement (réinstallation), saisissez ici sa nouvelle empreinte (SHA256:…) pour l'approuver ; votre administrateur peut la vérifier avec ssh-keygen -l.",
        nl: 'Laat leeg bij de eerste verbinding. Als de hostsleutel van de server bewust is gewijzigd (herinstallatie), vul dan hier de nieuwe vingerafdruk (SHA256:…) in om ze te vertrouwen; uw beheerder kan ze controleren met ssh-keygen -l.',
        en: "Leave empty when connecting for the first time. If the server's host key changed on purpose (a reinstallation), enter its new fingerprint (SHA256:…) here to trust it; your administrator can check it with ssh-keygen -l.",
      },
      input: 'text',
      secret: false,
      required: false,
      schema: fieldSchemas.trustHostKey,
    },
  ],
  formats: [outputFormats.eFff3, outputFormats.peppolBis3],
  limits: { maxDocumentBytes: DEFAULT_MAX_DOCUMENT_BYTES },
  termsVersion: TERMS_VERSION,
  available: true,
};

/** The credentials step's values, each field's schema with its default: what checkCredentials works from. */
export const credentialValuesSchema = z.object({
  ...fieldSchemas,
  port: fieldSchemas.port.default(DEFAULT_SFTP_PORT),
  uploadPath: fieldSchemas.uploadPath.default(DEFAULT_UPLOAD_PATH),
});
export type CredentialValues = z.output<typeof credentialValuesSchema>;
