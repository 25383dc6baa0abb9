using System.Globalization;

namespace Imago.Storage.Tests.KillLoop;

/// <summary>
/// Entry point of the test assembly (the test SDK's generated one is turned off): the kill-loop test starts
/// this assembly with <c>dotnet exec</c> as its child. Under a test runner, Main is never called.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 4 && args[0] == "kill-loop-child")
        {
            return await KillLoopChild.RunAsync(args[1], args[2], int.Parse(args[3], CultureInfo.InvariantCulture));
        }

        await Console.Error.WriteLineAsync("usage: kill-loop-child STORE LOG SEED");
        return 2;
    }
}
