using System.Globalization;
using Imago.Bench.StorageHost;

// Usage: StorageHost snapclone DIR WRITE_MIB     rows: snapshot and clone time for 1 GiB and 1 TiB volumes
//        StorageHost replicate DIR DISK_MIB      row: bytes sent replicating a snapshot 1% different from one already there
// Prints markdown table rows on stdout (bench/storage.sh adds the headers); progress on stderr.
if (args.Length != 3 || !long.TryParse(args[2], NumberStyles.None, CultureInfo.InvariantCulture, out var mib) || mib <= 0)
{
    await Console.Error.WriteLineAsync("usage: StorageHost snapclone|replicate DIR MIB");
    return 2;
}

var directory = Path.GetFullPath(args[1]);
switch (args[0])
{
    case "snapclone":
        await SnapshotCloneBench.RunAsync(directory, mib << 20);
        return 0;
    case "replicate":
        await ReplicationBench.RunAsync(directory, mib << 20);
        return 0;
    default:
        await Console.Error.WriteLineAsync($"unknown mode '{args[0]}'");
        return 2;
}
