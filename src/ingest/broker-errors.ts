/**
 * What went wrong connecting to the external broker, in words that name the setting to change.
 * Certificates, host names and credentials do not fix themselves: those are `permanent`, and
 * the hub stops at start with the message at once. A refused or reset connection may be a
 * broker still starting: those are retried until the start timeout, which then names the last.
 */

export interface BrokerProblem {
  message: string;
  /** No retry will help: the configuration must change. */
  permanent: boolean;
}

export interface BrokerErrorContext {
  /** The broker URL without credentials. */
  url: string;
  /** MQTT_CA, if set. */
  ca?: string;
  /** MQTT_CERT, if set. */
  cert?: string;
}

/** Node/OpenSSL verification codes of a server certificate no trusted CA signed. */
const UNKNOWN_AUTHORITY = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
]);

/** TLS alerts a broker sends when it does not accept the hub's client certificate (or its absence). */
const CLIENT_CERT_REFUSED = new Set([
  'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
  'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
  'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN',
  'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
  'ERR_SSL_TLSV1_ALERT_ACCESS_DENIED',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED',
  'ERR_SSL_TLSV1_ALERT_DECRYPT_ERROR',
]);

/** CONNACK return codes (MQTT 3.1.1) and reason codes (MQTT 5) that refuse the hub's login. */
const CONNACK: Record<number, string> = {
  1: 'the broker does not accept the MQTT protocol version',
  2: 'the broker refused the client id: set MQTT_CLIENT_ID',
  3: 'the broker says it is unavailable',
  4: 'the broker refused the hub\'s credentials (bad username or password): set MQTT_USERNAME and MQTT_PASSWORD',
  // Mosquitto 2 answers a wrong password with 5.
  5: 'the broker refused the hub\'s credentials (not authorized): check MQTT_USERNAME and MQTT_PASSWORD (or MQTT_CERT)',
  133: 'the broker refused the client id: set MQTT_CLIENT_ID',
  134: 'the broker refused the hub\'s credentials (bad username or password): set MQTT_USERNAME and MQTT_PASSWORD',
  135: 'the broker refused the hub\'s credentials (not authorized): check MQTT_USERNAME and MQTT_PASSWORD (or MQTT_CERT)',
};

export function explainBrokerError(error: Error & { code?: unknown; reason?: unknown }, context: BrokerErrorContext): BrokerProblem {
  const { url } = context;
  const code = error.code;
  if (typeof code === 'number') {
    const known = CONNACK[code];
    return { message: `MQTT_URL: ${url}: ${known ?? `the broker refused the connection (CONNACK ${code}: ${error.message})`}`, permanent: known !== undefined && code !== 3 };
  }
  if (typeof code !== 'string') return { message: `MQTT_URL: ${url}: ${error.message}`, permanent: false };
  if (UNKNOWN_AUTHORITY.has(code)) {
    return context.ca
      ? { message: `MQTT_CA: ${url}: the broker's certificate is not signed by the CA in ${context.ca} (${code})`, permanent: true }
      : { message: `MQTT_URL: ${url}: certificate signed by an unknown authority: set MQTT_CA to the CA certificate that signed the broker's (${code})`, permanent: true };
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    const reason = typeof error.reason === 'string' ? error.reason : error.message;
    return { message: `MQTT_URL: ${url}: hostname mismatch: the broker's certificate is not for this host name (${reason}); connect by a name or address the certificate holds`, permanent: true };
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return { message: `MQTT_URL: ${url}: the broker's certificate is ${code === 'CERT_HAS_EXPIRED' ? 'expired' : 'not yet valid'}`, permanent: true };
  }
  if (CLIENT_CERT_REFUSED.has(code)) {
    return context.cert
      ? { message: `MQTT_CERT: ${url}: the broker refused the hub's client certificate ${context.cert} (${code}): it must be signed by a CA the broker trusts`, permanent: true }
      : { message: `MQTT_CERT: ${url}: the broker wants a client certificate (${code}): set MQTT_CERT and MQTT_KEY`, permanent: true };
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG') {
    return { message: `MQTT_URL: ${url}: the broker does not speak TLS on that port: use mqtt:// (or the broker's TLS port)`, permanent: true };
  }
  if (code === 'ECONNREFUSED') return { message: `MQTT_URL: ${url}: connection refused (nothing listens there yet?)`, permanent: false };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { message: `MQTT_URL: ${url}: host name not found (${code})`, permanent: false };
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) return { message: `MQTT_URL: ${url}: TLS failed: ${error.message} (${code})`, permanent: true };
  return { message: `MQTT_URL: ${url}: ${error.message} (${code})`, permanent: false };
}
