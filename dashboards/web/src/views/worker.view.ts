/**
 * Grid worker's phone view: my open alerts, critical and newest first, pushed live. A new
 * alert appears at the top, highlighted, with vibration and a short tone where allowed.
 */
import type { Alert, CompoundSummary, DeviceView } from '../../../../src/contracts/live-events.ts';
import { h, fill } from '../dom.ts';
import { t } from '../i18n.ts';
import { api } from '../api.client.ts';
import { LiveState, deviceKey } from '../live-state.ts';
import { follow } from '../live.client.ts';
import { mayDo } from '../../../../src/contracts/access.ts';
import { alertCard } from '../alert-card.ts';
import { tickCountdowns } from '../countdowns.ts';
import { alertList } from '../alert-list.ts';
import { loadPeople } from '../people.ts';
import { silenceList } from '../silences.ts';
import { errorText } from '../error-text.ts';
import type { AppContext, View } from '../app.types.ts';

let audio: AudioContext | undefined;
/** Browsers allow sound only after a user gesture: the first tap on the page unlocks it. */
document.addEventListener('pointerdown', () => (audio ??= new AudioContext()), { once: true });

function announce(): void {
  navigator.vibrate?.([200, 100, 200]);
  if (!audio) return;
  const tone = audio.createOscillator();
  const gain = audio.createGain();
  tone.frequency.value = 880;
  gain.gain.setValueAtTime(0.2, audio.currentTime);
  gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.6);
  tone.connect(gain).connect(audio.destination);
  tone.start();
  tone.stop(audio.currentTime + 0.6);
}

export function workerView(root: HTMLElement, app: AppContext): View {
  const me = app.me;
  const state = new LiveState((a) => a.workflow !== 'closed' && a.assignee === me.id);
  const devices = new Map<string, DeviceView>();
  const compounds = new Map<string, CompoundSummary>();
  const list = h('div', { class: 'cards phone' });
  fill(root, h('div', { class: 'view-head' }, h('h1', {}, t('alerts.mine'))), list);
  const people = loadPeople(me, () => showList(state.alerts.values()));
  // Only an admin here may silence: the silences made here mark their cards.
  const silences = silenceList(undefined, () => showList(state.alerts.values()), (error) => app.report(errorText(error)), false);
  const card = (alert: Alert, forms: HTMLElement) => {
    const el = alertCard(alert, { me, device: devices.get(alert.deviceKey), compoundName: compounds.get(alert.compound)?.name, mineOnly: true, people, silences: mayDo(me.role, 'silence') ? silences : undefined, report: app.report }, forms);
    if (state.fresh.has(alert.id)) el.classList.add('fresh');
    return el;
  };
  const showList = alertList(list, t('alerts.mineNone'), card, () => `${people.version}|${silences.version}|${devices.size}|${compounds.size}`);
  const render = () => {
    showList(state.alerts.values());
    if (state.fresh.size) announce();
  };

  // Names and places of the devices in my grids, for the cards.
  void Promise.all([api<{ devices: DeviceView[] }>('GET', '/api/devices'), api<{ compounds: CompoundSummary[] }>('GET', '/api/compounds')])
    .then(([d, c]) => {
      for (const device of d.devices) devices.set(deviceKey(device), device);
      for (const compound of c.compounds) compounds.set(compound.id, compound);
      // The cards are rebuilt with names and places (their version includes what is known).
      showList(state.alerts.values());
    })
    .catch((error: unknown) => app.report(errorText(error)));

  const live = follow({ mine: true }, state, app, { changed: render });
  const ticker = setInterval(() => tickCountdowns(state.alerts), 1000);
  return {
    dispose() {
      clearInterval(ticker);
      silences.dispose();
      live.close();
    },
  };
}
