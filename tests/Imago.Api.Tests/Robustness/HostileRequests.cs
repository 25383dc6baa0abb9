using Imago.Api.Tests.Infrastructure;
using Imago.Core.Ids;
using static Imago.Api.Tests.Compute.ComputeApi;

namespace Imago.Api.Tests.Robustness;

/// <summary>One request of the sweep: what is sent, how it is signed, and a label that says what was bent.</summary>
/// <param name="DuplicateQuery">Appended to the query after signing: the same name again with another value.</param>
internal sealed record HostileCase(string Action, string Label, Dictionary<string, string> Parameters, SignatureStyle Style, string? DuplicateQuery = null);

/// <summary>
/// Builds the sweep's requests, deterministically (a fixed seed picks signing styles and the random extras), so a
/// failure reproduces. Each case starts from a request that is valid for the caller's <see cref="Estate"/> and bends
/// one parameter (or adds list indexes, extra names, a duplicate), so every parser is reached and not just the first
/// MissingParameter check.
/// </summary>
internal sealed class HostileRequests(Estate estate, int seed)
{
    /// <summary>Longer than any field allows, and than Kestrel's default 8 KiB request line (serve allows 256 KiB).</summary>
    public static readonly string Long = new('a', 64 * 1024);

    private static readonly string[] Values =
    [
        "", Long, "镜像名称-ñ-😀", "\u0001\u0002\u001b[31m", "a\u0000b", "\r\n", " ", "-1", "0", "-2147483649", "2147483648",
        "99999999999999999999999999", "1.5", "1e309", "NaN", "0x10", "abc", "[", "[\"a\",", "[1,2]", "{\"a\":1}", "[null]", "[\"\"]",
        "'; DROP TABLE images; --", "%_*", "../../etc/passwd", "2147483647", "9223372036854775807", "-0", "+1", "1 ", "١٢",
        "null", "\"a\"", "[[\"a\"]]", "[\"a\",1]", "<x>&amp;</x>", "9999-12-31T23:59Z", "0001-01-01T00:00Z", "2024-02-30T00:00Z",
        "ab\uFFFE\uFFFF", new string('[', 5000),
    ];

    private static readonly Dictionary<string, string>[] Combinations =
    [
        new() { ["PageNumber"] = "1000000", ["PageSize"] = "100" },
        new() { ["NextToken"] = "2147483647", ["MaxResults"] = "500" },
        new() { ["NextToken"] = "9223372036854775807", ["MaxResults"] = "100" },
        new() { ["NextToken"] = "-1", ["PageNumber"] = "2" },
        new() { ["Amount"] = "100", ["MinAmount"] = "100", ["DryRun"] = "true" },
        new() { ["Amount"] = "2", ["MinAmount"] = "3" },
        new() { ["SystemDisk.Size"] = "2048", ["DataDisk.1.Size"] = "65536", ["DataDisk.1.Category"] = "cloud_essd", ["DryRun"] = "true" },
        Enumerable.Range(1, 17).ToDictionary(i => $"DataDisk.{i}.Size", _ => "20"),
        Enumerable.Range(1, 18).ToDictionary(i => $"DiskDeviceMapping.{i}.Size", _ => "20"),
        Enumerable.Range(1, 21).ToDictionary(i => $"Tag.{i}.Key", i => "k" + i),
        new() { ["Tag.1.Key"] = "same", ["Tag.2.Key"] = "same" },
        new() { ["Tag.1.Key"] = "k", ["Tag.1.key"] = "other" },
    ];

    private static readonly string[] IndexForms = ["0", "99999", "-1", "01", "1a", "2147483648", "1.5"];

    private readonly Random _random = new(seed);

    private static readonly SignatureStyle[] Styles = Enum.GetValues<SignatureStyle>();

    private static readonly SignatureStyle[] V1Styles = [SignatureStyle.V1Get, SignatureStyle.V1Post, SignatureStyle.V1PostSplit];

    public IEnumerable<HostileCase> For(string action)
    {
        var scalars = SweepCatalog.ScalarsOf(action);
        foreach (var name in scalars)
        {
            foreach (var value in ValuesFor(name))
            {
                yield return Case(action, $"{name}={Show(value)}", name == "DryRun" ? null : name, p => p[name] = value);
            }
        }

        foreach (var (list, fields) in SweepCatalog.ListsOf(action))
        {
            var field = fields.Length == 0 ? "" : "." + fields[0];
            foreach (var index in IndexForms)
            {
                yield return Case(action, $"{list}.{index}{field}", null, p => p[$"{list}.{index}{field}"] = "x");
            }

            yield return Case(action, $"{list}.1..101", null, p =>
            {
                for (var i = 1; i <= 101; i++)
                {
                    p[$"{list}.{i}{field}"] = "v" + i;
                }
            });
            foreach (var f in fields.Length == 0 ? [""] : fields.Select(f => "." + f))
            {
                var name = $"{list}.1{f}";
                foreach (var value in ValuesFor(name))
                {
                    yield return Case(action, $"{name}={Show(value)}", null, p => p[name] = value);
                }
            }
        }

        for (var i = 0; i < 8; i++)
        {
            var name = RandomName();
            var value = RandomName();
            yield return Case(action, $"extra {Show(name)}={Show(value)}", null, p => p[name] = value);
        }

        // Values valid alone, extreme together (offsets that could overflow, the largest launches).
        foreach (var combination in Combinations)
        {
            yield return Case(action, string.Join('&', combination.Select(c => $"{c.Key}={Show(c.Value)}")), null, p =>
            {
                foreach (var (name, value) in combination)
                {
                    p[name] = value;
                }
            });
        }

        // The request's shape: a 64 KiB name, and more parameters than the pipeline takes (4096).
        yield return Case(action, "64 KiB name", null, p => p[Long] = "x");
        yield return Case(action, "5000 parameters", null, p =>
        {
            for (var i = 0; i < 5000; i++)
            {
                p["P" + i] = "v";
            }
        });

        // The same name twice with different values (RegionId: every base request has it): the pipeline refuses it
        // before anything reads either value.
        yield return new HostileCase(action, "duplicate RegionId", Base(action, null), SignatureStyle.V1Get, $"RegionId=dup-{_random.Next()}");
    }

    /// <summary>The generic values, and for id parameters every id of the estate plus well-formed ids nobody owns.</summary>
    private IEnumerable<string> ValuesFor(string name)
    {
        foreach (var value in Values)
        {
            yield return value;
        }

        if (name == "RegionId")
        {
            // Regions the server runs, but not the estate's: its ids must be as unknown there as anywhere.
            yield return "cn-shanghai";
            yield return "ap-southeast-1";
        }

        if (!name.EndsWith("Id", StringComparison.Ordinal) && !name.EndsWith("Ids", StringComparison.Ordinal))
        {
            yield break;
        }

        foreach (var id in estate.AllIds)
        {
            yield return id;
            yield return $"[\"{id}\"]";
        }

        foreach (var prefix in new[] { "m", "i", "d", "s", "t" })
        {
            yield return ResourceIds.New(prefix, Region);
        }

        yield return "[" + string.Join(',', Enumerable.Range(0, 101).Select(i => $"\"i-{i}\"")) + "]";
        yield return string.Join(',', Enumerable.Range(0, 101).Select(i => $"t-{i}"));
    }

    private HostileCase Case(string action, string label, string? bent, Action<Dictionary<string, string>> bend)
    {
        var parameters = Base(action, bent);
        bend(parameters);
        // Long values cannot travel in a URL (Kestrel answers 414 before the ECS pipeline runs): POST them.
        // Names outside RFC 3986's unreserved set: V3 clients sign names unencoded (ecs-api.md 7.2), the server
        // encodes them, so such a request would stop at SignatureDoesNotMatch; V1 encodes names on both sides.
        var style = parameters.Keys.Any(k => Uri.EscapeDataString(k) != k)
            ? V1Styles[_random.Next(V1Styles.Length)]
            : Styles[_random.Next(Styles.Length)];
        // Every fourth answer in XML: error messages echo names and values, and XML cannot carry every character JSON can.
        if (_random.Next(4) == 0)
        {
            parameters["Format"] = "XML";
        }

        return new HostileCase(action, label, parameters, style);
    }

    /// <summary>
    /// A request valid for the estate. Creating actions run with DryRun (all validation, nothing made) so the sweep
    /// does not fill the account; every fourth one without, so the paths past validation are reached too.
    /// </summary>
    private Dictionary<string, string> Base(string action, string? bent)
    {
        var p = new Dictionary<string, string>(StringComparer.Ordinal) { ["RegionId"] = Region };
        switch (action)
        {
            case "RunInstances" or "CreateInstance":
                p["ImageId"] = estate.PublicImageId;
                p["InstanceType"] = "ecs.g7.large";
                break;
            case "ReplaceSystemDisk":
                p["InstanceId"] = estate.InstanceId;
                p["ImageId"] = estate.PublicImageId;
                break;
            case "ModifyImageAttribute" or "DeleteImage" or "DescribeImageSupportInstanceTypes"
                or "ModifyImageSharePermission" or "DescribeImageSharePermission" or "ModifyImageShareGroupPermission":
                p["ImageId"] = estate.CustomImageId;
                break;
            case "CreateImage" or "StartInstance" or "StopInstance" or "DeleteInstance":
                p["InstanceId"] = estate.InstanceId;
                break;
            case "CreateSnapshot" or "DeleteDisk":
                p["DiskId"] = estate.DataDiskId;
                break;
            case "DeleteSnapshot":
                p["SnapshotId"] = estate.SnapshotId;
                break;
            case "DescribeTaskAttribute" or "CancelTask":
                p["TaskId"] = estate.CreateImageTaskId;
                break;
        }

        if (action is "RunInstances" or "CreateInstance" or "CreateImage" or "CreateSnapshot" && bent != "DryRun" && _random.Next(4) != 0)
        {
            p["DryRun"] = "true";
        }

        return p;
    }

    private string RandomName()
    {
        const string alphabet = "abcXYZ019._-~ !$é中\u0007";
        var length = 1 + _random.Next(24);
        return new string(Enumerable.Range(0, length).Select(_ => alphabet[_random.Next(alphabet.Length)]).ToArray());
    }

    private static string Show(string value) =>
        value.Length > 40 ? $"<{value.Length} chars>" : string.Concat(value.Select(c => char.IsControl(c) || char.IsSurrogate(c) ? $"\\u{(int)c:x4}" : c.ToString()));
}
