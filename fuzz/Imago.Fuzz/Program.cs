using Imago.Fuzz;
using SharpFuzz;

// Imago.Fuzz TARGET          run under afl-fuzz (fuzz/run.sh does this)
// Imago.Fuzz seeds DIR       write the starting corpus, one directory per target
// Imago.Fuzz replay TARGET FILE...   run inputs without AFL (triage; exit 1 on a crash)
if (args.Length >= 2 && args[0] == "seeds")
{
    Seeds.Write(args[1]);
    return 0;
}

if (args.Length >= 3 && args[0] == "replay" && Targets.All.TryGetValue(args[1], out var replayTarget))
{
    var status = 0;
    foreach (var file in args.Skip(2))
    {
        try
        {
            Targets.RunOne(replayTarget, File.ReadAllBytes(file));
            Console.WriteLine($"ok    {file}");
        }
        catch (Exception ex)
        {
            // A refusal hiding a defect is a crash too: show the defect and where it was thrown.
            var cause = ex.InnerException ?? ex;
            var frame = cause.StackTrace?.Split('\n').FirstOrDefault()?.Trim();
            Console.WriteLine($"CRASH {file}: {ex.GetType().Name}: {ex.Message} [{cause.GetType().Name} {frame}]");
            status = 1;
        }
    }

    return status;
}

if (args.Length == 1 && Targets.All.TryGetValue(args[0], out var target))
{
    Fuzzer.OutOfProcess.Run(stream =>
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        Targets.RunOne(target, buffer.ToArray());
    });
    return 0;
}

Console.Error.WriteLine($"usage: Imago.Fuzz {string.Join('|', Targets.All.Keys)} | seeds DIR | replay TARGET FILE...");
return 2;
