/**
 * Places and compounds (#/admin/places, admins): the tree district → street → community →
 * compounds by name (a compound with its device count, area and desk phone); add or edit a
 * place; add or edit a compound (admin-places.ts loads the names, the forms write).
 */
import type { CompoundBody, CompoundView, PlaceBody, PlaceKind, PlacesAnswer, PlaceView } from '../../../../src/contracts/admin.ts';
import { h, fill } from '../dom.ts';
import { locale, t } from '../i18n.ts';
import { api } from '../api.client.ts';
import { errorText } from '../error-text.ts';
import { dataTable } from '../data-table.ts';
import { focusHeading } from '../form-kit.ts';
import { gridLabel, loadGrids, placesOf, type GridInfo } from '../admin-places.ts';
import { placeTree, type TreeCommunity } from '../place-tree.ts';
import { kindName, placeForm } from '../place-form.ts';
import { compoundForm } from '../compound-form.ts';
import type { AppContext, View } from '../app.types.ts';

const placeKey = (kind: PlaceKind | 'compound', id: string) => `${kind}:${id}`;

export function adminPlacesView(root: HTMLElement, app: AppContext): View {
  let alive = true;
  let answer: PlacesAnswer = { places: [], compounds: [] };
  let grids: GridInfo[] = [];
  const formHost = h('div');
  const treeHost = h('div', { 'data-testid': 'places-tree' }, h('p', { class: 'muted' }, t('adm.loading')));
  const addPlace: HTMLButtonElement = h('button', { type: 'button', class: 'primary', 'data-testid': 'place-add', onclick: () => openPlace(addPlace) }, t('places.addPlace'));
  const addCompound: HTMLButtonElement = h('button', { type: 'button', 'data-testid': 'compound-add', onclick: () => openCompound(addCompound) }, t('places.addCompound'));
  fill(root,
    h('div', { class: 'view-head' }, h('h1', {}, t('places.title'))),
    h('p', { class: 'muted' }, t('places.intro')),
    h('div', { class: 'toolbar' }, addPlace, addCompound),
    formHost,
    treeHost,
  );

  /** After a save: the form closed, the tree drawn again, the focus on the saved thing's edit button. */
  async function saved(message: string, key: string): Promise<void> {
    fill(formHost);
    app.report(message);
    await reload();
    treeHost.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"] [data-testid$="-edit"]`)?.focus();
  }
  const closeWith = (opener: HTMLElement) => () => (fill(formHost), opener.focus());
  const show = (form: HTMLElement) => (fill(formHost, form), focusHeading(form));

  function openPlace(opener: HTMLElement, place?: PlaceView): void {
    show(placeForm({
      places: answer.places,
      place,
      cancel: closeWith(opener),
      save: async (kind, id, body: PlaceBody) => {
        const { place: savedPlace } = await api<{ place: PlaceView }>('PUT', `/api/admin/places/${kind}/${encodeURIComponent(id)}`, body);
        await saved(t('places.placeSaved', { kind: kindName(kind), name: savedPlace.name }), placeKey(kind, id));
      },
    }));
  }

  function openCompound(opener: HTMLElement, compound?: CompoundView, community?: string): void {
    show(compoundForm({
      places: answer.places,
      compounds: placesOf(answer),
      grids,
      compound,
      community,
      cancel: closeWith(opener),
      save: async (id, body: CompoundBody) => {
        const { compound: savedCompound } = await api<{ compound: CompoundView }>('PUT', `/api/admin/compounds/${encodeURIComponent(id)}`, body);
        await saved(t('places.compoundSaved', { name: savedCompound.name }), placeKey('compound', id));
      },
    }));
  }

  const editPlace = (place: PlaceView) => {
    const label = t('places.editPlaceLabel', { kind: kindName(place.kind), name: place.name });
    const button: HTMLButtonElement = h('button', { type: 'button', class: 'link', 'data-testid': 'place-edit', 'aria-label': label, onclick: () => openPlace(button, place) }, t('places.editPlace'));
    return button;
  };
  /** A place's heading (its name, its kind beside) with its edit button. */
  const heading = (level: 'h2' | 'h3' | 'h4', place: PlaceView) =>
    h('div', { class: 'place-head' },
      h(level, { 'data-testid': `place-name-${place.kind}` }, place.name, ' ', h('span', { class: 'muted place-kind' }, kindName(place.kind))),
      editPlace(place),
    );

  function compoundsTable(community: TreeCommunity): HTMLElement {
    const names = placesOf(answer);
    return dataTable({
      caption: t('places.compoundsOf', { community: community.place.name }),
      columns: [t('places.col.name'), t('places.col.id'), t('places.col.devices'), t('places.col.area'), t('places.col.deskPhone'), t('places.col.grid'), t('adm.actions')],
      empty: t('places.noCompounds'),
      testid: 'compounds-table',
      rowHeader: true,
      rows: community.compounds.map((c) => {
        const edit: HTMLButtonElement = h('button', { type: 'button', 'data-testid': 'compound-edit', 'aria-label': t('places.editCompoundLabel', { name: c.name }), onclick: () => openCompound(edit, c) }, t('adm.edit'));
        return {
          attrs: { 'data-key': placeKey('compound', c.id), 'data-compound': c.id },
          cells: [
            c.name,
            h('code', {}, c.id),
            h('span', { 'data-field': 'devices' }, String(c.deviceCount)),
            h('span', { 'data-field': 'area' }, t(`places.areaShort.${c.area}`)),
            c.deskPhone ? h('a', { href: `tel:${c.deskPhone.replace(/[\s-]/g, '')}`, 'data-field': 'desk-phone' }, c.deskPhone) : '—',
            c.grid ? gridLabel(c.grid, grids, names) : '—',
            h('div', { class: 'row' },
              edit,
              h('a', { href: `#/admin/devices/${encodeURIComponent(c.id)}`, 'data-testid': 'compound-devices', 'aria-label': t('places.openDevicesLabel', { name: c.name }) }, t('places.openDevices')),
            ),
          ],
        };
      }),
    });
  }

  function renderTree(): void {
    const tree = placeTree(answer, locale());
    if (!tree.length) return fill(treeHost, h('p', { class: 'muted', 'data-testid': 'places-none' }, t('places.none')));
    fill(treeHost, ...tree.map((d) =>
      h('section', { class: 'panel place-district', 'data-key': placeKey('district', d.place.id), 'data-testid': 'place-district' },
        heading('h2', d.place),
        h('ul', { class: 'place-tree' }, ...d.streets.map((s) =>
          h('li', { 'data-key': placeKey('street', s.place.id), 'data-testid': 'place-street' },
            heading('h3', s.place),
            h('ul', { class: 'place-tree' }, ...s.communities.map((c) =>
              h('li', { 'data-key': placeKey('community', c.place.id), 'data-testid': 'place-community' },
                heading('h4', c.place),
                compoundsTable(c),
              ),
            )),
          ),
        )),
      ),
    ));
  }

  async function reload(): Promise<void> {
    try {
      [answer, grids] = await Promise.all([api<PlacesAnswer>('GET', '/api/admin/places'), loadGrids()]);
      if (alive) renderTree();
    } catch (error) {
      if (alive) fill(treeHost, h('p', { class: 'notice', role: 'alert', 'data-testid': 'places-error' }, errorText(error)));
    }
  }
  void reload();

  return { dispose: () => void (alive = false) };
}
