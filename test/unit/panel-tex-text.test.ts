/**
 * TeX answers as plain text (webview/texText.ts), for the answer filter's options, which cannot
 * hold KaTeX. The answers are real ones, from test/fixtures/answer_pairs.jsonl and MATH-style
 * boxed answers; the option itself is checked in Chromium (test/webview/search.test.ts).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { texToText } from '../../webview/texText.js';

const cases = (pairs: [string, string][]) => {
  for (const [tex, text] of pairs) assert.equal(texToText(tex), text, tex);
};

describe('TeX answers as plain text', () => {
  test('fractions: \\frac, \\dfrac, \\tfrac, braces left out, mixed numbers and products kept apart', () => {
    cases([
      ['\\frac{7}{3}', '7/3'],
      ['\\dfrac{7}{3}', '7/3'],
      ['\\frac19', '1/9'],
      ['-\\frac{9}{4}', '-9/4'],
      ['\\frac{-1}{2}', '-1/2'],
      ['\\frac{9\\pi}{2}', '9π/2'],
      ['\\frac{5+\\sqrt{5}}{2}', '(5+√5)/2'],
      ['\\frac{x+1}{x}', '(x+1)/x'],
      // 1/2x would read as 1/(2x) for some and (1/2)x for others.
      ['\\frac{1}{2x}', '1/(2x)'],
      ['\\frac{1}{2}x', '(1/2)x'],
      ['\\frac{1}{2}\\pi', '(1/2)π'],
      ['\\frac{1}{2}(b+a)', '(1/2)(b+a)'],
      ['\\frac{5}{2}+\\frac{\\sqrt{5}}{2}', '5/2+√5/2'],
      // A mixed number: 2 1/3, never 21/3.
      ['2\\frac13', '2 1/3'],
      ['2\\tfrac{1}{3}', '2 1/3'],
      ['-2\\frac{1}{4}', '-2 1/4'],
    ]);
  });

  test('roots, powers, subscripts and degrees', () => {
    cases([
      ['2\\sqrt2', '2√2'],
      ['\\sqrt{12}', '√12'],
      ['\\frac1{\\sqrt2}', '1/√2'],
      ['\\dfrac{\\sqrt{6}}{3}', '√6/3'],
      ['\\sqrt{\\frac{2}{3}}', '√(2/3)'],
      ['\\sqrt{x^2}', '√(x²)'],
      ['\\sqrt[3]{27}', '∛27'],
      ['x^2+2x+1', 'x²+2x+1'],
      ['2^{10}', '2¹⁰'],
      ['2\\cdot 10^{-12}', '2·10⁻¹²'],
      ['x^{\\frac{1}{2}}', 'x^(1/2)'],
      ['e^{i\\pi}', 'e^(iπ)'],
      ['\\log_2 8', 'log₂ 8'],
      ['\\sin^2 x+\\cos^2 x', 'sin² x+cos² x'],
      ['45^\\circ', '45°'],
      ['4\\pi r^2', '4πr²'],
    ]);
  });

  test('\\pi and other symbols, \\boxed, \\text, \\left … \\right, dollars and matrices', () => {
    cases([
      ['\\pi', 'π'],
      ['2\\pi r', '2πr'],
      ['-\\infty', '-∞'],
      ['x \\in [0, 1]', 'x ∈ [0, 1]'],
      ['\\boxed{\\dfrac{7}{3}}', '7/3'],
      ['\\text{(B)}', '(B)'],
      ['\\textbf{(B)}', '(B)'],
      ['\\text{The final answer is } 143', 'The final answer is 143'],
      ['5\\text{ cm}^2', '5 cm²'],
      ['\\left(\\frac{3}{2}, -\\sqrt{2}\\right)', '(3/2, -√2)'],
      ['\\{\\sqrt{4}, 3\\}', '{√4, 3}'],
      ['\\$150', '$150'],
      ['\\textdollar 20', '$20'],
      ['10\\%', '10%'],
      ['\\binom{10}{3}', 'C(10, 3)'],
      ['\\begin{pmatrix} 1 & -\\frac13 \\\\ 0 & 2 \\end{pmatrix}', '(1, -1/3; 0, 2)'],
      ['\\mathbb{R}', 'ℝ'],
    ]);
  });

  test('plain answers stay as they are; unknown commands are left as written', () => {
    cases([
      ['19', '19'],
      ['7/3', '7/3'],
      ['(x-2)(x+2)', '(x-2)(x+2)'],
      ['The final answer is 134', 'The final answer is 134'],
      ['\\overline{AB}', '\\overline{AB}'],
      ['\\foo x', '\\foo x'],
      ['{6 \\choose 3}', '6 \\choose 3'],
      // Names an object has by inheritance are no commands or environments either.
      ['\\constructor x', '\\constructor x'],
      ['\\begin{toString}1\\end{toString}', '1'],
    ]);
    // Cut-off TeX (a truncated sample) still gives text, never an exception that blanks the bar.
    for (const broken of ['\\frac{1', 'x^', '\\sqrt[3', '}{', '\\'])
      assert.equal(typeof texToText(broken), 'string');
  });
});
