import { SCENARIO } from '../constants.js';

/** A store of the generated chain. */
export interface Store {
  readonly store_cd: string;
  readonly store_name: string;
}

/** Branch names after the scenario's 등촌점: neighbourhoods of Gangseo-gu and around, Seoul. */
const BRANCHES = [
  '염창', '가양', '화곡', '발산', '마곡', '방화', '공항', '개화', '신정', '목동',
  '신월', '양천', '당산', '문래', '영등포', '여의도', '합정', '망원', '상암', '성산',
] as const;

/**
 * The chain's stores: the scenario's store (12345 등촌점) first, then consecutive codes
 * (12346, 12347, …) with branch names; past the list of names a number tells branches apart
 * (`염창2점`).
 * @param count - how many stores
 */
export function chainStores(count: number): Store[] {
  const first = Number(SCENARIO.storeCd);
  return Array.from({ length: count }, (_, i) => {
    if (i === 0) return { store_cd: SCENARIO.storeCd, store_name: SCENARIO.storeName };
    const branch = BRANCHES[(i - 1) % BRANCHES.length] as string;
    const round = Math.floor((i - 1) / BRANCHES.length);
    return { store_cd: String(first + i), store_name: `${branch}${round === 0 ? '' : round + 1}점` };
  });
}
