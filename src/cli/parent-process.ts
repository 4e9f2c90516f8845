/** How often the parent is looked at: a stop within about a second of the parent's death. */
const PARENT_CHECK_MS = 1_000;

/**
 * Calls `onGone` once when the process that started this one exits. A supervisor (or `npx`, or a shell) killed
 * with SIGKILL never passes a signal on: without this the connector would run on with no one to stop it. Linux
 * has no portable "parent died" signal without a native add-on, so the parent's pid is polled: when the parent
 * exits, the kernel hands this process to init (pid 1) or to the nearest subreaper, and `process.ppid` changes.
 * Returns a function that stops watching.
 */
export function watchParentProcess(onGone: (parentPid: number) => void, currentParent: () => number = () => process.ppid): () => void {
  const parent = currentParent();
  // Started by init, or the first process of a container: there is no parent to outlive.
  if (parent <= 1) return () => undefined;
  const timer = setInterval(() => {
    if (currentParent() === parent) return;
    clearInterval(timer);
    onGone(parent);
  }, PARENT_CHECK_MS);
  // The watch alone never keeps the process alive.
  timer.unref();
  return () => clearInterval(timer);
}
