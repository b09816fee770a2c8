/**
 * A document edited whole (#/admin/routing, #/admin/rules; admin): its JSON pretty-printed in a
 * monospace editor, the hub's `issues` listed beside it as `path: message`, a save that names
 * the version read (409: someone saved meanwhile, reload), and the document's own helpers
 * below it (rules: switches and a trial on history; routing: grids by name).
 */
import type { DocAnswer, DocBody } from '../../../../src/contracts/admin.ts';
import { h, fill } from '../dom.ts';
import { stamp, t, type Key } from '../i18n.ts';
import { api } from '../api.client.ts';
import { buttonsOf, whileBusy } from '../busy.ts';
import { errorBox, isCode } from '../error-box.ts';
import { uid } from '../form-kit.ts';
import { loadPeople } from '../people.ts';
import { systemActor } from '../audit-format.ts';
import { parseJson, pretty, type DocEditor } from '../json-doc.ts';
import { rulesTools } from '../rules-tools.ts';
import { gridsTools } from '../routing-grids.ts';
import type { AppContext, View } from '../app.types.ts';

export type DocKind = 'routing' | 'rules';

const DOCS: Record<DocKind, { title: Key; help: Key; path: string; tools(editor: DocEditor, app: AppContext): HTMLElement }> = {
  routing: { title: 'doc.routing', help: 'doc.routingHelp', path: '/api/admin/routing', tools: gridsTools },
  rules: { title: 'doc.rules', help: 'doc.rulesHelp', path: '/api/admin/rules', tools: rulesTools },
};

export function adminDocView(root: HTMLElement, kind: DocKind, app: AppContext): View {
  const spec = DOCS[kind];
  let alive = true;
  let doc: DocAnswer | undefined;
  let savedText = '';
  const listeners: Array<() => void> = [];

  const helpId = uid('doc-help');
  const textId = uid('doc-text');
  const text = h('textarea', { id: textId, class: 'json', rows: 24, spellcheck: 'false', autocapitalize: 'none', autocomplete: 'off', wrap: 'off', disabled: true, 'aria-describedby': helpId, 'data-testid': 'doc-text' });
  const meta = h('p', { class: 'muted', 'data-testid': 'doc-meta' }, t('adm.loading'));
  const dirty = h('span', { class: 'badge', hidden: true, 'data-testid': 'doc-dirty' }, t('doc.unsaved'));
  const errors = errorBox('doc-error');
  const people = loadPeople(app.me, () => showMeta());

  const changed = () => {
    dirty.hidden = text.value === savedText;
    for (const listener of listeners) listener();
  };
  text.addEventListener('input', changed);
  const editor: DocEditor = {
    read: () => parseJson(text.value),
    write: (body) => ((text.value = pretty(body)), changed()),
    onChange: (listener) => void listeners.push(listener),
  };

  const showMeta = () => {
    if (!doc) return;
    meta.textContent = doc.version === 0 ? t('doc.defaults') : t('doc.meta', { v: doc.version, who: systemActor(doc.updatedBy) ?? people.name(doc.updatedBy), at: stamp(doc.updatedAt) });
  };
  const take = (answer: DocAnswer) => {
    doc = answer;
    text.value = savedText = pretty(answer.body);
    text.disabled = false;
    showMeta();
    changed();
  };

  const reload = async () => {
    try {
      const answer = await api<DocAnswer>('GET', spec.path);
      if (!alive) return;
      take(answer);
      errors.clear();
      return answer;
    } catch (error) {
      errors.show(error);
      return undefined;
    }
  };

  const form: HTMLFormElement = h('form', {
    class: 'doc-form',
    'data-testid': 'doc-form',
    onsubmit: (e: Event) => {
      e.preventDefault();
      if (!doc) return;
      errors.clear();
      const parsed = editor.read();
      if (!parsed.ok) {
        errors.say(parsed.message);
        text.focus();
        if (parsed.position !== undefined) text.setSelectionRange(parsed.position, parsed.position);
        return;
      }
      const version = doc.version;
      void whileBusy(form, buttonsOf(form), async () => {
        try {
          take(await api<DocAnswer>('PUT', spec.path, { body: parsed.value, version } satisfies DocBody));
          app.report(t('doc.saved', { v: doc!.version }));
        } catch (error) {
          if (!isCode(error, 'CONFLICT')) return errors.show(error);
          const again = h('button', { type: 'button', 'data-testid': 'doc-conflict-reload', onclick: () => void whileBusy(again, [again], reloadAndSay) }, t('doc.reload'));
          errors.show(error, t('doc.conflict'), again);
          again.focus();
        }
      });
    },
  },
    h('label', { for: textId }, t('doc.json')),
    text,
    h('div', { class: 'row' },
      h('button', { type: 'submit', class: 'primary', 'data-testid': 'doc-save' }, t('doc.save')),
      h('button', { type: 'button', 'data-testid': 'doc-format', onclick: () => {
        const parsed = editor.read();
        if (parsed.ok) editor.write(parsed.value);
        else errors.say(parsed.message);
      } }, t('doc.format')),
      h('button', { type: 'button', 'data-testid': 'doc-reload', onclick: (e: Event) => void whileBusy(e.currentTarget as HTMLElement, [e.currentTarget as HTMLButtonElement], reloadAndSay) }, t('doc.reload')),
      dirty,
    ),
  );
  const reloadAndSay = async () => {
    const answer = await reload();
    if (answer) app.report(t('doc.reloaded', { v: answer.version }));
  };

  fill(root,
    h('div', { class: 'view-head' }, h('h1', {}, t(spec.title)), meta),
    h('p', { class: 'muted', id: helpId }, t(spec.help)),
    h('div', { class: 'doc-layout' }, h('section', { class: 'panel' }, form), h('aside', { class: 'doc-side' }, errors.el)),
    spec.tools(editor, app),
  );
  void reload().then((answer) => !answer && alive && fill(meta));
  return { dispose: () => void (alive = false) };
}
