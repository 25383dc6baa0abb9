using System.Security.Cryptography;

namespace Imago.Core.Accounts;

/// <summary>
/// The key that encrypts AccessKey secrets at rest. It never enters the database: it is either given in the
/// environment (<see cref="EnvironmentVariable"/>, 32 bytes in base64) or kept in <c>DATA/master.key</c>
/// (32 random bytes, created mode 0600 on first use). Losing it makes every stored secret unreadable.
/// </summary>
public sealed class MasterKey
{
    public const string FileName = "master.key";

    public const string EnvironmentVariable = "IMAGO_MASTER_KEY";

    public const int Length = 32;

    private readonly byte[] _key;

    private MasterKey(byte[] key, string source)
    {
        _key = key;
        Source = source;
    }

    /// <summary>Where the key came from (the variable's name or the file's path), for messages; never the key.</summary>
    public string Source { get; }

    internal ReadOnlySpan<byte> Bytes => _key;

    /// <summary>
    /// The key from <paramref name="environmentValue"/> (the content of <see cref="EnvironmentVariable"/>) when
    /// set, else from <c>DATA/master.key</c>, which is created on first use. Synchronous on purpose: a 32-byte
    /// file read once at start (it is also used from DI factories, which cannot await).
    /// </summary>
    public static MasterKey LoadOrCreate(string dataDirectory, string? environmentValue)
    {
        if (!string.IsNullOrWhiteSpace(environmentValue))
        {
            return FromBase64(environmentValue.Trim());
        }

        var path = Path.Combine(dataDirectory, FileName);
        if (!File.Exists(path))
        {
            Create(dataDirectory, path);
        }

        var key = File.ReadAllBytes(path);
        return key.Length == Length
            ? new MasterKey(key, path)
            : throw new InvalidDataException($"{path} is not a master key ({key.Length} bytes, expected {Length})");
    }

    private static MasterKey FromBase64(string value)
    {
        byte[] key;
        try
        {
            key = Convert.FromBase64String(value);
        }
        catch (FormatException)
        {
            throw new InvalidDataException($"{EnvironmentVariable} is not base64 (expected {Length} bytes in base64)");
        }

        return key.Length == Length
            ? new MasterKey(key, EnvironmentVariable)
            : throw new InvalidDataException($"{EnvironmentVariable} holds {key.Length} bytes, expected {Length}");
    }

    /// <summary>
    /// Written to a private temporary file (0600 from its creation, never readable by others even briefly),
    /// flushed to disk, then linked into place without overwriting: when two processes (serve and admin)
    /// create the key at once, one wins and both use the winner's key.
    /// </summary>
    private static void Create(string dataDirectory, string path)
    {
        Directory.CreateDirectory(dataDirectory);
        var temporary = path + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var file = new FileStream(temporary, options))
            {
                file.Write(RandomNumberGenerator.GetBytes(Length));
                file.Flush(flushToDisk: true);
            }

            try
            {
                File.Move(temporary, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process created it first; its key is the one.
            }
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
