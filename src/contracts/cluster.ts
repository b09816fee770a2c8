/** GET /api/cluster (admins): the partitions of a scaled-out hub and who owns them (design.md §10). */
export interface ClusterView {
  /** The instance that answered. */
  instance: string;
  partitions: number;
  leaseMs: number;
  /** The partitions the answering instance acts on now, ascending. */
  owned: number[];
  /** Instances alive (beat within a lease), with the partitions whose leases they hold. */
  members: Array<{ instance: string; startedAt: number; heartbeatAt: number; owned: number[] }>;
  /** Every lease row: expired ones are free to take. */
  leases: Array<{ partition: number; owner: string; expiresAt: number; epoch: number }>;
}
