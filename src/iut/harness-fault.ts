/** A failure of the harness or of the integration's process, as opposed to a finding. */
export class HarnessFault extends Error {}
