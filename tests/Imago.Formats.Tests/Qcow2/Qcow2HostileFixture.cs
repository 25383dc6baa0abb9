using Imago.Formats.Tests.Infrastructure;

namespace Imago.Formats.Tests.Qcow2;

/// <summary>Valid images made once by qemu-img, which the hostile tests then damage in memory.</summary>
public sealed class Qcow2HostileFixture : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly Dictionary<string, string> _paths = [];

    public Qcow2HostileFixture()
    {
        foreach (var name in BaseImages)
        {
            _paths[name] = Qcow2Variants.Build(_dir, Qcow2Variants.Get(name));
        }
    }

    public static readonly string[] BaseImages = ["v3-64k", "v2-512", "zlib", "zstd", "extended-l2", "refcount64-512"];

    public string Path(string name) => _paths[name];

    public byte[] Bytes(string name) => File.ReadAllBytes(_paths[name]);

    public TempDirectory Directory => _dir;

    public void Dispose() => _dir.Dispose();
}
