// The platforms' names, apart from their code so that the CLI can list them without loading it.

export const PLATFORMS = ['systrap', 'ptrace'] as const;
export type PlatformName = (typeof PLATFORMS)[number];
export const DEFAULT_PLATFORM: PlatformName = 'systrap';
