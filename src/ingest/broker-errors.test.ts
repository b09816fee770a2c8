import { describe, expect, it } from 'vitest';
import { explainBrokerError } from './broker-errors.ts';

const url = 'mqtts://broker.example:8883';
const error = (code: string | number, message = 'x', extra: object = {}) => Object.assign(new Error(message), { code }, extra);

describe('explainBrokerError', () => {
  it('names MQTT_CA for a certificate no trusted CA signed, and stops the start', () => {
    for (const code of ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT']) {
      expect(explainBrokerError(error(code), { url })).toEqual({
        message: expect.stringContaining('certificate signed by an unknown authority: set MQTT_CA'),
        permanent: true,
      });
    }
    expect(explainBrokerError(error('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), { url, ca: '/etc/ca.crt' }).message).toMatch(/^MQTT_CA: .*not signed by the CA in \/etc\/ca\.crt/);
  });

  it('names a host name mismatch, expiry, a refused client certificate and plain MQTT on a TLS URL', () => {
    const mismatch = explainBrokerError(error('ERR_TLS_CERT_ALTNAME_INVALID', 'Hostname/IP does not match', { reason: 'Host: broker.example. is not in the cert\'s altnames: DNS:other' }), { url });
    expect(mismatch).toEqual({ message: expect.stringMatching(/hostname mismatch: .*is not in the cert's altnames/), permanent: true });
    expect(explainBrokerError(error('CERT_HAS_EXPIRED'), { url }).message).toContain('certificate is expired');
    expect(explainBrokerError(error('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'), { url }).message).toMatch(/^MQTT_CERT: .*set MQTT_CERT and MQTT_KEY/);
    expect(explainBrokerError(error('ERR_SSL_TLSV1_ALERT_UNKNOWN_CA'), { url, cert: '/etc/hub.crt' }).message).toMatch(/^MQTT_CERT: .*refused the hub's client certificate \/etc\/hub\.crt/);
    expect(explainBrokerError(error('ERR_SSL_WRONG_VERSION_NUMBER'), { url })).toMatchObject({ message: expect.stringContaining('does not speak TLS'), permanent: true });
  });

  it('names the credentials for a refused CONNACK (MQTT 3.1.1 and 5)', () => {
    for (const code of [4, 5, 134, 135]) {
      expect(explainBrokerError(error(code), { url })).toEqual({ message: expect.stringMatching(/refused the hub's credentials.*MQTT_USERNAME and MQTT_PASSWORD/), permanent: true });
    }
    expect(explainBrokerError(error(2), { url }).message).toContain('MQTT_CLIENT_ID');
    expect(explainBrokerError(error(3), { url }).permanent).toBe(false);
  });

  it('retries what a broker still starting gives: refused or reset connections', () => {
    expect(explainBrokerError(error('ECONNREFUSED'), { url })).toEqual({ message: `MQTT_URL: ${url}: connection refused (nothing listens there yet?)`, permanent: false });
    expect(explainBrokerError(error('ECONNRESET', 'read ECONNRESET'), { url }).permanent).toBe(false);
    expect(explainBrokerError(new Error('something'), { url }).permanent).toBe(false);
  });
});
