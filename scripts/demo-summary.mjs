// Runs the built CLI over examples/ the way a user would in a shell, and prints a short table.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const cli = (args, input) =>
  execFileSync(process.execPath, ['dist/cli.js', ...args], { input, encoding: 'utf8' });
const lines = (text) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));

for (const file of readdirSync('examples').sort()) {
  if (!/\.(md|txt|json|jsonl)$/.test(file) || file === 'README.md') continue;
  const problems = lines(cli(['import', `examples/${file}`]));
  console.log(`\nexamples/${file}: ${problems.length} problem(s)`);
  const withSteps = problems.filter((p) => p.steps);
  const answers = withSteps.length
    ? lines(
        cli(
          ['answer'],
          withSteps.map((p) => JSON.stringify({ id: p.id, text: p.steps.join('\n\n') })).join('\n'),
        ),
      )
    : [];
  for (const problem of problems) {
    const found = answers.find((a) => a.id === problem.id);
    const parts = [`  ${problem.id} [${problem.format}]`];
    if (problem.reference !== undefined) parts.push(`reference ${problem.reference}`);
    if (problem.steps)
      parts.push(`${problem.steps.length} steps, human first error ${problem.humanFirstError ?? '?'}`);
    if (found) parts.push(`answer in steps: ${found.answer}`);
    console.log(parts.join(' · '));
  }
}
console.log('\nTry: echo \'{"text": "So \\\\boxed{\\\\dfrac{1}{2}}."}\' | node dist/cli.js answer');
