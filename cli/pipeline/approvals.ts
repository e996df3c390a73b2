import * as readline from 'readline';
import { InputError } from '../../shared/core/errors';

/**
 * Stand-in for environment approvals and checks: `--approve` approves every environment,
 * otherwise a y/N question on the terminal. Without a terminal there is nobody to ask,
 * so the run refuses to start rather than hang or deploy unapproved.
 */
export interface Approver {
  approve(environment: string, stage: string, job: string): Promise<boolean>;
}

export function requireApprovalPossible(environments: string[], approveAll: boolean, interactive: boolean): void {
  if (environments.length === 0 || approveAll || interactive) return;
  throw new InputError(
    `This run deploys to environment(s) ${environments.map((e) => `'${e}'`).join(', ')}, which need approval, and there is no terminal to ask on`,
    undefined,
    'Pass --approve to approve them, or run in a terminal to answer the prompt.',
  );
}

export function createApprover(opts: { approveAll: boolean; ask?: (question: string) => Promise<string> }): Approver {
  const decided = new Map<string, boolean>();
  const ask = opts.ask ?? askOnTerminal;
  return {
    async approve(environment, stage, job) {
      if (opts.approveAll) return true;
      const key = environment.toLowerCase();
      if (decided.has(key)) return decided.get(key) as boolean;
      const answer = await ask(`Approve deployment to environment '${environment}' (stage ${stage}, job ${job})? [y/N] `);
      const ok = /^y(es)?$/i.test(answer.trim());
      decided.set(key, ok);
      return ok;
    },
  };
}

function askOnTerminal(question: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
    rl.question(question, (a) => { rl.close(); resolve(a); });
  });
}
