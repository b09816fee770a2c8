/**
 * Device credentials shown once (after adding, importing or rotating): per device its MQTT
 * client id and user name (`compound/type/device`), the topic prefix it may publish under and
 * its secret, each with a copy button; all of them as a CSV download.
 */
import type { CreatedDevicesAnswer } from '../../../src/contracts/admin.ts';
import { DEFAULT_TOPIC_ROOT, deviceTopicPrefix } from '../../../src/contracts/topics.ts';
import { h } from './dom.ts';
import { t } from './i18n.ts';
import { dataTable } from './data-table.ts';
import { downloadButton, toCsv } from './csv-file.ts';
import { copyButton, secretValue, showOnce } from './once-panel.ts';
import { deviceLabel } from './device-format.ts';

type Created = CreatedDevicesAnswer['devices'][number];

const prefixOf = ({ device: d }: Created) => deviceTopicPrefix(DEFAULT_TOPIC_ROOT, { compound: d.compound, type: d.type, device: d.id });

function secretsCsv(created: Created[]): string {
  return toCsv([
    ['compound', 'type', 'id', 'name', 'clientId', 'username', 'topicPrefix', 'secret'],
    ...created.map((c) => [c.device.compound, c.device.type, c.device.id, c.device.name, c.device.key, c.device.key, prefixOf(c), c.secret]),
  ]);
}

export function showDeviceSecrets(host: HTMLElement, answer: CreatedDevicesAnswer): void {
  const created = answer.devices;
  const compound = created[0]?.device.compound ?? 'devices';
  showOnce(host, t('devs.secretsTitle'), (status) => [
    dataTable({
      caption: t('devs.secretsTitle'),
      columns: [t('devs.device'), t('devs.clientId'), t('devs.topic'), t('devs.secret')],
      empty: '—',
      testid: 'device-secrets',
      rowHeader: true,
      rows: created.map((c) => {
        const label = deviceLabel(c.device.type, c.device.id, c.device);
        return {
          attrs: { 'data-device-key': c.device.key },
          cells: [
            label,
            h('span', { class: 'secret' }, h('code', { 'data-testid': 'once-client-id' }, c.device.key), copyButton(c.device.key, `${label} ${t('devs.clientId')}`, status, 'once-client-id-copy')),
            h('code', { 'data-testid': 'once-topic' }, prefixOf(c)),
            secretValue(c.secret, `${label} ${t('devs.secret')}`, status, 'once-secret'),
          ],
        };
      }),
    }),
    h('div', { class: 'row' }, downloadButton(t('devs.secretsCsv'), `${compound}-device-secrets.csv`, () => secretsCsv(created), 'device-secrets-csv')),
  ], 'device-secrets-panel');
}
