namespace Imago.Storage.Replication;

/// <summary>How far a replication is: chunks (data and pages) looked at, sent, and skipped because the destination had them.</summary>
/// <param name="ChunksExamined">Distinct chunks of the snapshot looked at so far (sent + skipped).</param>
/// <param name="ChunksSent">Chunks the destination lacked and received.</param>
/// <param name="ChunksSkipped">Chunks the destination already held (earlier copies, shared data, an interrupted run).</param>
/// <param name="BytesSent">Chunk bytes sent (the payload a network transport would carry).</param>
public sealed record ReplicationProgress(long ChunksExamined, long ChunksSent, long ChunksSkipped, long BytesSent);

/// <summary>What a finished replication did.</summary>
/// <param name="AlreadyPresent">The destination already had this snapshot with the same content: nothing was done.</param>
public sealed record ReplicationResult(long ChunksSent, long ChunksSkipped, long BytesSent, bool AlreadyPresent);
