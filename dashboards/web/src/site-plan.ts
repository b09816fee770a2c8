/**
 * The compound's site plan (SVG, 0..100 on both axes): the plan image an admin uploaded, the
 * registry's zones, roads, buildings and gates with their names, and every device at its
 * position as a marker whose shape says the type and whose icon the state (plan-markers.ts).
 * Markers that would overlap become a numbered cluster that opens (fans out) on click; zoom in to
 * pull clusters apart. In edit mode markers are dragged (pointer) or moved with the arrow keys and
 * their position is saved through `move`. Keyboard focus stays on the same marker across redraws.
 */
import type { DeviceView } from '../../../src/contracts/live-events.ts';
import type { PlanPoint, SitePlanAnswer } from '../../../src/contracts/site-plan.ts';
import { h, svg } from './dom.ts';
import type { DeviceLook } from './device-format.ts';
import { deviceLabel } from './device-format.ts';
import { deviceKey } from './live-state.ts';
import { currentLang, t, tOf } from './i18n.ts';
import { clusterMarkers, fanOut, type PlanCluster, type PlanMarker } from './plan-cluster.ts';
import { LOOK_ICON, LOOK_RANK, markerParts } from './plan-markers.ts';

export interface PlanInput {
  devices: DeviceView[];
  lookOf: (d: DeviceView) => DeviceLook;
  selected?: string | undefined;
  /** Devices to point out (an alert's device, an incident's members). */
  highlighted: ReadonlySet<string>;
}

export interface PlanHandlers {
  pick(key: string): void;
  /** Saves a device's new position; without it the plan has no edit mode. */
  move?: ((device: DeviceView, position: { x: number; y: number }) => Promise<void>) | undefined;
}

interface Placed extends PlanMarker {
  device: DeviceView;
  look: DeviceLook;
}

const ZOOMS = [1, 1.5, 2, 3, 4, 6];
const BASE_RADIUS = 2.6;
const round1 = (v: number) => Math.round(v * 10) / 10;
const clamp = (v: number) => Math.min(100, Math.max(0, v));
const points = (outline: PlanPoint[]) => outline.map(([x, y]) => `${x},${y}`).join(' ');
const centroid = (outline: PlanPoint[]) => ({ x: outline.reduce((s, p) => s + p[0], 0) / outline.length, y: outline.reduce((s, p) => s + p[1], 0) / outline.length });

export class SitePlanCanvas {
  readonly el: HTMLElement;
  readonly #stage = h('div', { class: 'plan-stage' });
  readonly #status = h('p', { class: 'plan-status muted', role: 'status', 'data-testid': 'plan-status' });
  readonly #editButton: HTMLButtonElement | undefined;
  readonly #handlers: PlanHandlers;
  #geometry: SitePlanAnswer | undefined;
  #imageUrl: string | undefined;
  #compoundName = '';
  /** What the last drawing showed of the input (see render). */
  #shown = '';
  #input: PlanInput | undefined;
  #zoomIndex = 0;
  #centre = { x: 50, y: 50 };
  #open: string | undefined;
  #editing = false;
  #dragging = false;
  /** Positions moved here and not yet back from the hub. */
  readonly #moved = new Map<string, { x: number; y: number }>();
  readonly #saveTimers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(handlers: PlanHandlers) {
    this.#handlers = handlers;
    const zoomButton = (label: string, testid: string, text: string, act: () => void) =>
      h('button', { type: 'button', class: 'plan-tool', 'aria-label': label, title: label, 'data-testid': testid, onclick: act }, text);
    this.#editButton = handlers.move
      ? h('button', { type: 'button', class: 'plan-tool wide', 'aria-pressed': 'false', 'data-testid': 'plan-edit', onclick: () => this.#toggleEdit() }, t('plan.edit'))
      : undefined;
    this.el = h(
      'div',
      { class: 'site-plan-box' },
      h('div', { class: 'plan-tools', role: 'toolbar', 'aria-label': t('plan.title') },
        zoomButton(t('plan.zoomIn'), 'plan-zoom-in', '+', () => this.#zoomBy(1)),
        zoomButton(t('plan.zoomOut'), 'plan-zoom-out', '−', () => this.#zoomBy(-1)),
        h('button', { type: 'button', class: 'plan-tool wide', 'data-testid': 'plan-zoom-reset', onclick: () => this.#resetZoom() }, t('plan.zoomReset')),
        this.#editButton ?? null,
      ),
      this.#stage,
      this.#status,
    );
  }

  /** The registry's geometry, the plan image's URL, and the compound's name (for the image's text alternative). */
  setGeometry(answer: SitePlanAnswer | undefined, imageUrl: string | undefined, compoundName: string): void {
    this.#geometry = answer;
    this.#imageUrl = imageUrl;
    this.#compoundName = compoundName;
    this.#redraw();
  }

  render(input: PlanInput): void {
    this.#input = input;
    for (const d of input.devices) {
      const moved = this.#moved.get(deviceKey(d));
      if (moved && d.position && d.position.x === moved.x && d.position.y === moved.y && !this.#saveTimers.has(deviceKey(d))) this.#moved.delete(deviceKey(d));
    }
    // A marker being dragged is not redrawn under the pointer: the next update draws it.
    if (this.#dragging) return;
    // Nothing the plan shows changed (a batch of readings that move no state): no redraw.
    const shown = `${input.selected ?? ''}|${[...input.highlighted].join(',')}|${input.devices.map((d) => `${deviceKey(d)}:${input.lookOf(d)}:${d.position?.x},${d.position?.y}:${d.name ?? ''}`).join(';')}`;
    if (shown === this.#shown) return;
    this.#shown = shown;
    this.#redraw();
  }

  /** Points out these devices: opens the cluster they are in and brings the plan into view. */
  reveal(keys: readonly string[]): void {
    if (!this.#input || !keys.length) return;
    const cluster = this.#clusters().find((c) => c.members.length > 1 && c.members.some((m) => keys.includes(m.key)));
    this.#open = cluster?.id;
    this.#redraw();
    this.el.scrollIntoView({ block: 'center', behavior: 'smooth' });
  }

  get editing(): boolean {
    return this.#editing;
  }

  #toggleEdit(): void {
    this.#editing = !this.#editing;
    this.#open = undefined;
    if (this.#editButton) {
      this.#editButton.textContent = this.#editing ? t('plan.editDone') : t('plan.edit');
      this.#editButton.setAttribute('aria-pressed', String(this.#editing));
    }
    this.#status.textContent = this.#editing ? t('plan.editHint') : '';
    this.#redraw();
  }

  #zoomBy(step: number): void {
    this.#zoomIndex = Math.min(ZOOMS.length - 1, Math.max(0, this.#zoomIndex + step));
    this.#open = undefined;
    this.#redraw();
  }

  #resetZoom(): void {
    this.#zoomIndex = 0;
    this.#centre = { x: 50, y: 50 };
    this.#open = undefined;
    this.#redraw();
  }

  get #zoom(): number {
    return ZOOMS[this.#zoomIndex] ?? 1;
  }

  #viewBox(): string {
    const size = 110 / this.#zoom;
    const x = Math.min(105 - size, Math.max(-5, this.#centre.x - size / 2));
    const y = Math.min(105 - size, Math.max(-5, this.#centre.y - size / 2));
    return `${round1(x)} ${round1(y)} ${round1(size)} ${round1(size)}`;
  }

  #placed(): Placed[] {
    const input = this.#input;
    if (!input) return [];
    const unplaced = input.devices.filter((d) => !d.position && !this.#moved.has(deviceKey(d)));
    return input.devices.map((d) => {
      const key = deviceKey(d);
      const i = unplaced.indexOf(d);
      const at = this.#moved.get(key) ?? d.position ?? { x: 4 + (i % 12) * 8, y: 96 - Math.floor(i / 12) * 6 };
      const look = input.lookOf(d);
      return { key, x: at.x, y: at.y, rank: LOOK_RANK[look], device: d, look };
    });
  }

  #scale(): number {
    return 1 / Math.sqrt(this.#zoom);
  }

  #clusters(): Array<PlanCluster<Placed>> {
    const placed = this.#placed();
    // While editing every marker stands on its own, so that each can be moved.
    return this.#editing ? placed.map((p) => ({ id: p.key, x: p.x, y: p.y, members: [p] })) : clusterMarkers(placed, BASE_RADIUS * this.#scale());
  }

  #redraw(): void {
    const input = this.#input;
    const focusKey = this.#stage.contains(document.activeElement) ? (document.activeElement as Element).getAttribute('data-focus-key') : null;
    const plan = svg('svg', { viewBox: this.#viewBox(), role: 'group', 'aria-label': t('plan.title'), class: `site-plan${this.#editing ? ' editing' : ''}`, 'data-testid': 'site-plan', 'data-zoom': this.#zoom });
    plan.append(svg('rect', { x: -5, y: -5, width: 110, height: 110, class: 'ground' }));
    if (this.#imageUrl) {
      const image = svg('image', { href: this.#imageUrl, x: 0, y: 0, width: 100, height: 100, preserveAspectRatio: 'xMidYMid meet', 'data-testid': 'plan-image', role: 'img', 'aria-label': t('plan.imageAlt', { compound: this.#compoundName }) });
      image.addEventListener('load', () => image.setAttribute('data-loaded', 'true'));
      plan.append(image);
    }
    plan.append(this.#features());
    if (input) {
      const scale = this.#scale();
      const markers = svg('g', { class: 'markers' });
      const badges = svg('g', { class: 'clusters' });
      const clusters = this.#clusters();
      for (const cluster of clusters) {
        const open = cluster.members.length > 1 && cluster.id === this.#open;
        const spots = open ? fanOut(cluster, 5.2 * scale) : undefined;
        if (open) for (const m of cluster.members) { const p = spots!.get(m.key)!; markers.append(svg('line', { class: 'leader', x1: cluster.x, y1: cluster.y, x2: p.x, y2: p.y })); }
        // Least urgent first: the urgent ones are drawn on top.
        for (const m of [...cluster.members].reverse()) {
          const hidden = cluster.members.length > 1 && !open;
          const at = spots?.get(m.key) ?? m;
          markers.append(this.#marker(m, at, scale, hidden, input));
        }
        if (cluster.members.length > 1 && !open) badges.append(this.#badge(cluster, scale));
        if (open) badges.append(this.#closer(cluster, scale));
      }
      plan.append(markers, badges);
    }
    plan.addEventListener('keydown', (e) => {
      if ((e as KeyboardEvent).key === 'Escape' && this.#open) (this.#open = undefined, this.#redraw());
    });
    this.#stage.replaceChildren(plan);
    if (!this.#geometry?.plan && !this.#imageUrl) this.#stage.append(h('p', { class: 'muted small', 'data-testid': 'plan-no-geometry' }, t('plan.noGeometry')));
    if (focusKey) (this.#stage.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`) as SVGElement | null)?.focus();
  }

  #features(): SVGElement {
    const g = svg('g', { class: 'features' });
    const answer = this.#geometry;
    const plan = answer?.plan;
    if (!answer || !plan) return g;
    for (const z of plan.zones) {
      const name = z.name ?? answer.zones[z.id] ?? z.id;
      const x = Math.min(...z.outline.map((p) => p[0]));
      const y = Math.min(...z.outline.map((p) => p[1]));
      g.append(svg('g', { class: 'zone-g', 'data-testid': 'plan-zone', 'data-id': z.id },
        svg('polygon', { class: 'zone', points: points(z.outline) }, svg('title', {}, `${t('plan.zone')} ${name}`)),
        svg('text', { class: 'label zone-label', x: x + 1, y: y + 3 }, name)));
    }
    for (const r of plan.roads) {
      const mid = r.line[Math.floor((r.line.length - 1) / 2)]!;
      const next = r.line[Math.floor((r.line.length - 1) / 2) + 1] ?? mid;
      const vertical = Math.abs(next[1] - mid[1]) > Math.abs(next[0] - mid[0]);
      const lx = (mid[0] + next[0]) / 2;
      const ly = (mid[1] + next[1]) / 2;
      g.append(svg('g', { class: 'road-g', 'data-testid': 'plan-road' },
        svg('polyline', { class: 'road', points: points(r.line), 'stroke-width': r.width }),
        r.name ? svg('text', { class: 'label road-label', x: lx + (vertical ? 0 : 12), y: ly + (vertical ? 14 : 0) + 0.9, 'text-anchor': 'middle', ...(vertical ? { transform: `rotate(90 ${lx} ${ly + 14})` } : {}) }, r.name) : null));
    }
    for (const b of plan.buildings) {
      const name = b.name ?? answer.buildings[b.id] ?? b.id;
      const c = centroid(b.outline);
      g.append(svg('g', { class: 'building-g', 'data-testid': 'plan-building', 'data-id': b.id },
        svg('polygon', { class: 'building', points: points(b.outline) }, svg('title', {}, `${t('plan.building')} ${name}`)),
        svg('text', { class: 'label building-label', x: c.x, y: Math.min(...b.outline.map((p) => p[1])) + 3, 'text-anchor': 'middle' }, name)));
    }
    for (const gate of plan.gates) {
      const { x, y } = gate.at;
      g.append(svg('g', { class: 'gate-g', 'data-testid': 'plan-gate' },
        svg('path', { class: 'gate', d: `M ${x - 2} ${y + 1.5} L ${x} ${y - 2} L ${x + 2} ${y + 1.5} Z` }, svg('title', {}, `${t('plan.gate')} ${gate.name}`)),
        svg('text', { class: 'label gate-label', x: x > 90 ? x - 3 : x + 3, y: y > 90 ? y - 2 : y + 4, 'text-anchor': x > 90 ? 'end' : 'start' }, gate.name)));
    }
    return g;
  }

  #marker(m: Placed, at: { x: number; y: number }, scale: number, hidden: boolean, input: PlanInput): SVGElement {
    const { device: d, look, key } = m;
    const name = deviceLabel(d.type, d.device, d);
    const selected = key === input.selected;
    const highlighted = input.highlighted.has(key);
    const g = svg('g', {
      class: `dev look-${look} type-${d.type}${selected ? ' selected' : ''}${highlighted ? ' highlight' : ''}`,
      'data-testid': 'site-device',
      'data-device-key': key,
      'data-focus-key': `dev:${key}`,
      'data-state': look,
      'data-type': d.type,
      'data-icon': LOOK_ICON[look],
      'data-x': round1(m.x),
      'data-y': round1(m.y),
      'data-highlight': String(highlighted),
      'data-clustered': String(hidden),
      ...(hidden ? { display: 'none' } : { tabindex: 0 }),
      role: 'button',
      'aria-pressed': String(selected),
      'aria-label': t('plan.marker', { type: tOf('type', d.type), name, state: t(`plan.state.${look}`) }),
    });
    if (highlighted) g.append(svg('circle', { class: 'halo', cx: at.x, cy: at.y, r: 5 * scale }));
    g.append(svg('title', {}, `${name} · ${t(`plan.state.${look}`)}`), ...markerParts(d.type, look, at.x, at.y, scale));
    g.addEventListener('click', () => !this.#editing && this.#handlers.pick(key));
    g.addEventListener('keydown', (e) => this.#markerKey(e as KeyboardEvent, m));
    if (this.#editing) g.addEventListener('pointerdown', (e) => this.#startDrag(e as PointerEvent, g, m));
    return g;
  }

  #badge(cluster: PlanCluster<Placed>, scale: number): SVGElement {
    const worst = cluster.members[0]!.look;
    const names = cluster.members.map((m) => deviceLabel(m.device.type, m.device.device, m.device)).join(currentLang() === 'zh' ? '、' : ', ');
    const r = 3 * scale;
    const g = svg('g', {
      class: `cluster look-${worst}`,
      'data-testid': 'plan-cluster',
      'data-focus-key': `cluster:${cluster.id}`,
      'data-count': cluster.members.length,
      'data-members': cluster.members.map((m) => m.key).join(' '),
      'data-state': worst,
      tabindex: 0,
      role: 'button',
      'aria-expanded': 'false',
      'aria-label': t('plan.cluster', { n: cluster.members.length, names }),
    },
    svg('title', {}, t('plan.cluster', { n: cluster.members.length, names })),
    svg('circle', { class: 'cluster-badge', cx: cluster.x, cy: cluster.y, r }),
    svg('text', { class: 'cluster-count', x: cluster.x, y: cluster.y + 1.1 * scale, 'text-anchor': 'middle', 'font-size': 3.2 * scale }, String(cluster.members.length)),
    LOOK_ICON[worst] ? svg('text', { class: 'cluster-icon', x: cluster.x + r, y: cluster.y - r * 0.6, 'text-anchor': 'middle', 'font-size': 2.6 * scale, 'aria-hidden': 'true' }, LOOK_ICON[worst]) : null);
    const open = () => ((this.#open = cluster.id), this.#redraw(), (this.#stage.querySelector(`[data-focus-key="dev:${CSS.escape(cluster.id)}"]`) as SVGElement | null)?.focus());
    g.addEventListener('click', open);
    g.addEventListener('keydown', (e) => ((e as KeyboardEvent).key === 'Enter' || (e as KeyboardEvent).key === ' ') && (e.preventDefault(), open()));
    return g;
  }

  #closer(cluster: PlanCluster<Placed>, scale: number): SVGElement {
    const g = svg('g', { class: 'cluster-closer', 'data-testid': 'plan-cluster-open', 'data-focus-key': `closer:${cluster.id}`, tabindex: 0, role: 'button', 'aria-expanded': 'true', 'aria-label': t('plan.clusterClose', { n: cluster.members.length }) },
      svg('circle', { cx: cluster.x, cy: cluster.y, r: 1.4 * scale }));
    const close = () => ((this.#open = undefined), this.#redraw());
    g.addEventListener('click', close);
    g.addEventListener('keydown', (e) => ((e as KeyboardEvent).key === 'Enter' || (e as KeyboardEvent).key === ' ') && (e.preventDefault(), close()));
    return g;
  }

  #markerKey(e: KeyboardEvent, m: Placed): void {
    if (!this.#editing) {
      if (e.key === 'Enter' || e.key === ' ') (e.preventDefault(), this.#handlers.pick(m.key));
      return;
    }
    const step = e.shiftKey ? 5 : 1;
    const delta = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] }[e.key];
    if (!delta) return;
    e.preventDefault();
    const from = this.#moved.get(m.key) ?? { x: m.x, y: m.y };
    this.#moved.set(m.key, { x: round1(clamp(from.x + delta[0]!)), y: round1(clamp(from.y + delta[1]!)) });
    this.#redraw();
    this.#scheduleSave(m.device, 500);
  }

  #startDrag(e: PointerEvent, g: SVGElement, m: Placed): void {
    const plan = g.ownerSVGElement;
    const ctm = plan?.getScreenCTM();
    if (!plan || !ctm) return;
    e.preventDefault();
    const toPlan = (ev: PointerEvent) => new DOMPoint(ev.clientX, ev.clientY).matrixTransform(ctm.inverse());
    const start = toPlan(e);
    let at = { x: m.x, y: m.y };
    this.#dragging = true;
    g.setPointerCapture(e.pointerId);
    g.classList.add('dragging');
    const move = (ev: PointerEvent) => {
      const p = toPlan(ev);
      at = { x: round1(clamp(m.x + p.x - start.x)), y: round1(clamp(m.y + p.y - start.y)) };
      g.setAttribute('transform', `translate(${at.x - m.x} ${at.y - m.y})`);
    };
    const end = () => {
      g.removeEventListener('pointermove', move);
      g.removeEventListener('pointerup', end);
      g.removeEventListener('pointercancel', end);
      this.#dragging = false;
      if (at.x !== m.x || at.y !== m.y) {
        this.#moved.set(m.key, at);
        this.#scheduleSave(m.device, 0);
      }
      this.#redraw();
    };
    g.addEventListener('pointermove', move);
    g.addEventListener('pointerup', end);
    g.addEventListener('pointercancel', end);
  }

  #scheduleSave(device: DeviceView, delayMs: number): void {
    const key = deviceKey(device);
    clearTimeout(this.#saveTimers.get(key));
    this.#saveTimers.set(key, setTimeout(() => {
      this.#saveTimers.delete(key);
      const at = this.#moved.get(key);
      if (!at || !this.#handlers.move) return;
      const name = deviceLabel(device.type, device.device, device);
      this.#status.textContent = t('plan.saving', { name });
      this.#status.removeAttribute('data-saved');
      this.#handlers.move(device, at).then(
        () => {
          this.#status.textContent = t('plan.saved', { name });
          this.#status.setAttribute('data-saved', key);
        },
        () => {
          // Refused (the notice bar says why): back to where the hub has it.
          this.#moved.delete(key);
          this.#status.textContent = '';
          this.#redraw();
        },
      );
    }, delayMs));
  }
}
