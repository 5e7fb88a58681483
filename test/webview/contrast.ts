/**
 * Contrast of text as the person sees it: each element matching `selector`, with its text colour
 * (times the opacity of it and its ancestors) against what is drawn behind it (the backgrounds of it
 * and its ancestors, composed), per WCAG 2: (L1 + 0.05) / (L2 + 0.05). Returns [text, ratio] pairs.
 */
import type { Page } from 'playwright-core';

export async function textContrasts(page: Page, selector: string): Promise<[string, number][]> {
  // tsx names the helpers below with a __name() call the page does not have.
  await page.evaluate('globalThis.__name ??= (f) => f');
  return page.$$eval(selector, (flags) => {
    const canvas = document.createElement('canvas');
    canvas.width = 1;
    canvas.height = 1;
    const context = canvas.getContext('2d', { willReadFrequently: true })!;
    // Any CSS colour (rgb(), color(srgb …) from color-mix) as 0–255 RGBA, as the browser paints it.
    const rgba = (css: string): number[] => {
      context.clearRect(0, 0, 1, 1);
      context.fillStyle = css;
      context.fillRect(0, 0, 1, 1);
      const [r, g, b, a] = context.getImageData(0, 0, 1, 1).data;
      return [r!, g!, b!, a! / 255];
    };
    const over = (top: number[], under: number[]) =>
      [0, 1, 2].map((i) => top[i]! * top[3]! + under[i]! * (1 - top[3]!)).concat(1);
    const luminance = (rgb: number[]) => {
      const [r, g, b] = rgb.slice(0, 3).map((value) => {
        const c = value / 255;
        return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    };
    return flags.map((flag) => {
      const layers: number[][] = [];
      let opacity = 1;
      for (let element: Element | null = flag; element; element = element.parentElement) {
        const style = getComputedStyle(element);
        opacity *= Number(style.opacity);
        const background = rgba(style.backgroundColor);
        if (background[3]! > 0) layers.push(background);
        if (background[3] === 1) break;
      }
      let behind = [255, 255, 255, 1];
      for (const layer of layers.reverse()) behind = over(layer, behind);
      const text = rgba(getComputedStyle(flag).color);
      const drawn = over([text[0]!, text[1]!, text[2]!, text[3]! * opacity], behind);
      const [light, dark] = [luminance(drawn), luminance(behind)].sort((a, b) => b - a);
      return [flag.textContent?.trim() ?? '', (light! + 0.05) / (dark! + 0.05)];
    });
  });
}

/** WCAG 2 contrast ratio of two computed `rgb(…)` colours (opaque). */
export function contrast(a: string, b: string): number {
  const luminance = (colour: string) => {
    const [r, g, bl] = (colour.match(/[\d.]+/g) ?? []).slice(0, 3).map((c) => {
      const v = Number(c) / 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}
