// Accessibility checks for the browser suites: axe-core (the WCAG rules engine, a dev dependency)
// run inside the page the test drives. The source is handed to the page through Playwright's
// evaluate (the DevTools protocol), not a <script> tag, so the renderer's strict CSP stays as it
// ships (script-src 'self', no eval) and the check sees the app exactly as people get it.

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Page } from 'playwright';

const require = createRequire(import.meta.url);
let source: Promise<string> | undefined;

interface AxeNode { target: unknown[]; failureSummary?: string }
interface AxeViolation { id: string; impact?: string | null; help: string; nodes: AxeNode[] }

/** The axe violations on the page as it is now (WCAG 2.x A and AA, best practices), one line each. */
export async function axeViolations(page: Page, opts: { include?: string } = {}): Promise<string[]> {
  source ??= readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  const src = await source;
  const hasAxe = await page.evaluate(() => 'axe' in window);
  if (!hasAxe) await page.evaluate(src);
  const violations = await page.evaluate(async (include) => {
    const axe = (window as unknown as { axe: { run(ctx: unknown, o: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
    const r = await axe.run(include ?? document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
  }, opts.include);
  return violations.flatMap((v: AxeViolation) => v.nodes.map((n) => `${v.id} (${v.impact ?? 'n/a'}): ${v.help} at ${JSON.stringify(n.target)}`));
}

/** Fails with every violation listed when axe finds any on the page (`what` names the screen). */
export async function assertNoAxeViolations(page: Page, what: string, opts: { include?: string } = {}): Promise<void> {
  const found = await axeViolations(page, opts);
  if (found.length > 0) throw new Error(`axe: ${found.length} accessibility violation(s) on ${what}:\n  ${found.join('\n  ')}`);
}
