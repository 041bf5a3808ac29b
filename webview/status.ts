/** Wording of the panel's progress line (no DOM here, so it is tested in node). */

/**
 * "Bootstrap (40%)". The last step ("Done") goes without a share: "Done (20%)" would say the
 * evaluation is over while four fifths of it are still to come.
 */
export function progressText(message: string, fraction: number | null): string {
  if (fraction === null || fraction >= 1 || /^done\b/i.test(message)) return message;
  return `${message} (${Math.round(fraction * 100)}%)`;
}
