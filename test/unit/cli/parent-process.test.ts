import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { watchParentProcess } from '../../../src/cli/parent-process.js';

describe('watchParentProcess', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('tells once, within about a second, that the parent is gone when this process is handed to another', () => {
    let parent = 4242;
    const gone = vi.fn();
    watchParentProcess(gone, () => parent);
    vi.advanceTimersByTime(5_000);
    expect(gone).not.toHaveBeenCalled();
    parent = 1;
    vi.advanceTimersByTime(1_000);
    expect(gone).toHaveBeenCalledExactlyOnceWith(4242);
    parent = 77; // a subreaper taking it over later changes nothing
    vi.advanceTimersByTime(5_000);
    expect(gone).toHaveBeenCalledTimes(1);
  });

  it('notices a subreaper as the new parent, not only init', () => {
    let parent = 4242;
    const gone = vi.fn();
    watchParentProcess(gone, () => parent);
    parent = 300;
    vi.advanceTimersByTime(1_000);
    expect(gone).toHaveBeenCalledExactlyOnceWith(4242);
  });

  it("watches nothing when started by init (a container's first process has no parent to outlive)", () => {
    const gone = vi.fn();
    watchParentProcess(gone, () => 1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stops watching when asked', () => {
    let parent = 4242;
    const gone = vi.fn();
    const stop = watchParentProcess(gone, () => parent);
    stop();
    parent = 1;
    vi.advanceTimersByTime(5_000);
    expect(gone).not.toHaveBeenCalled();
  });
});
