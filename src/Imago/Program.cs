namespace Imago;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        await Task.Yield();
        Console.Error.WriteLine("imago: no command yet");
        return args.Length == 0 ? 1 : 1;
    }
}
