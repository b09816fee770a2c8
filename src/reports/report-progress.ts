/**
 * The receipt of a resident's report (随手拍): its progress as the resident may see it, built from
 * the alert as a pure function. It copies the listed fields one by one (never spreads the alert),
 * so no person, note, device or other id can reach the answer, whatever the alert carries:
 * the category, the compound's and building's names, when it was made, a coarse state and when
 * each coarse step was reached.
 */
import type { Alert, AlertEvent, WorkflowState } from '../alerts/alert.types.ts';
import type { ReportProgress, ReportState } from '../contracts/reports.ts';

const STATE_OF: Record<WorkflowState, ReportState> = {
  new: 'reported',
  dispatched: 'reported',
  accepted: 'in_progress',
  resolved: 'fixed',
  closed: 'fixed',
};

/** The workflow step an event leads to (undefined: it does not move the workflow). */
function workflowAfter(event: AlertEvent, current: WorkflowState): WorkflowState | undefined {
  switch (event.kind) {
    case 'dispatched':
    case 'reassigned':
    case 'handed_over':
      return 'dispatched';
    case 'escalated':
      return current === 'accepted' ? undefined : 'dispatched';
    case 'accepted':
    case 'arrived':
    case 'reopened':
      return 'accepted';
    case 'resolved':
      return 'resolved';
    case 'closed':
      return 'closed';
    default:
      return undefined;
  }
}

/** Names the route looks up in the registry (the compound's name, the building's). */
export interface ReportNames {
  compound: string;
  building: string;
}

export function reportProgress(alert: Alert, names: ReportNames): ReportProgress {
  const report = alert.report!;
  const steps: ReportProgress['steps'] = [{ state: 'reported', at: alert.raisedAt }];
  let workflow: WorkflowState = 'new';
  for (const event of alert.history) {
    if (steps.at(-1)!.state === 'closed_as_spam') break;
    if (event.kind === 'marked_spam') {
      steps.push({ state: 'closed_as_spam', at: event.at });
      continue;
    }
    const next = workflowAfter(event, workflow);
    if (!next) continue;
    workflow = next;
    const state = STATE_OF[next];
    if (state !== steps.at(-1)!.state) steps.push({ state, at: event.at });
  }
  const state: ReportState = report.spam ? 'closed_as_spam' : STATE_OF[alert.workflow];
  return {
    id: report.id,
    category: report.category,
    compound: { name: names.compound },
    building: { name: names.building },
    createdAt: alert.raisedAt,
    state,
    steps: steps.map((s) => ({ state: s.state, at: s.at })),
  };
}
