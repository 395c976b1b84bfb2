/**
 * Runs `task` over `items` with at most `concurrency` tasks in flight, the way batch APIs are
 * called in parallel without opening one socket per call. Starts items in order; the first
 * rejection is thrown once the tasks already started have settled, so no call is left running.
 * @param items - the work items
 * @param concurrency - tasks in flight at most (values below 1 count as 1)
 * @param task - called once per item with the item and its index
 */
export async function forEachConcurrent<T>(items: readonly T[], concurrency: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        await task(items[index] as T, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  const workers = Math.max(1, Math.min(Math.floor(concurrency), items.length));
  await Promise.all(Array.from({ length: workers }, worker));
  if (failure) throw failure.error;
}
