// A task hub whose every field is hostile: instance ids, names, inputs, outputs, custom status,
// event names, failure messages and stack traces carrying HTML and script, `</script>`,
// `javascript:` URLs, CSS injection, bidi overrides, zero-width characters, and a 10 MB value.
// Any script that ran would set `window.__pwned`; any resource it loaded would be fetched from
// CANARY_HOST (which does not resolve) or as a relative `x`. Tests assert neither happened.
import { HistoryBuilder, HubWriter } from '../../tools/seed/hubWriter';

export const CANARY_HOST = 'canary.invalid';

/** Payloads for text fields: each would run a script, load a resource or restyle the page if it were markup. */
export const PAYLOADS = [
  '<img src=x onerror="window.__pwned=\'img\'">',
  '</script><script>window.__pwned="script"</script>',
  `<a href="javascript:window.__pwned='link'">click me</a>`,
  'javascript:window.__pwned="url"',
  `<style>body{display:none}</style><link rel=stylesheet href="http://${CANARY_HOST}/x.css">`,
  `"><svg onload="window.__pwned='svg'"><image href="http://${CANARY_HOST}/i.png"/></svg>`,
  `<iframe srcdoc="<script>parent.__pwned='iframe'</script>"></iframe>`,
  '{{constructor.constructor("window.__pwned=\'template\'")()}}',
  'evil\u202Egnp.exe — bidi override',
  'zero\u200Bwidth\u200Cjoiner\u200Dhere\uFEFF',
];

/** Instance ids that are hostile but valid (no '/', '\\', '#', '?' or control characters). */
export const HOSTILE_IDS = {
  markup: 'xss-<img src=x onerror=window.__pwned=1>',
  script: 'xss-</script><script>window.__pwned=2</script>',
  bidi: 'xss-evil\u202Egnp.exe',
  zeroWidth: 'xss-zero\u200Bwidth',
  large: 'xss-large-10mb',
} as const;

export const LARGE_VALUE_LENGTH = 10 * 1024 * 1024;

/** Writes the hostile hub (Failed instances with hostile histories, one 10 MB input). */
export async function writeHostileHub(connectionString: string, hubName: string): Promise<void> {
  const w = await HubWriter.create({ connectionString, hubName });
  const created = new Date(Date.now() - 3600_000);
  const payloadJson = JSON.stringify(PAYLOADS);
  for (const [kind, instanceId] of Object.entries(HOSTILE_IDS)) {
    const h = new HistoryBuilder(created);
    h.orchestratorStarted();
    h.executionStarted();
    const hostileName = PAYLOADS[1];
    const task = h.taskScheduled(hostileName, payloadJson);
    h.eventRaised(PAYLOADS[0], payloadJson);
    h.orchestratorCompleted();
    h.advance(500);
    h.orchestratorStarted();
    h.taskFailed(task.eventId, PAYLOADS.join(' | '), JSON.stringify({ Message: PAYLOADS[2], StackTraceString: PAYLOADS.join('\n   at ') }));
    h.executionCompleted('Failed', JSON.stringify(`Orchestrator failed: ${PAYLOADS.join(' ')}`));
    h.orchestratorCompleted();
    await w.writeInstance({
      instanceId,
      name: `${PAYLOADS[0]}${kind}`,
      input: kind === 'large' ? JSON.stringify({ blob: `${PAYLOADS[1]}${'A'.repeat(LARGE_VALUE_LENGTH)}` }) : payloadJson,
      customStatus: JSON.stringify(PAYLOADS[4]),
      tags: { [PAYLOADS[0]]: PAYLOADS[3] },
      history: h,
    });
  }
}
