using System.Security.Cryptography;

namespace Imago.Core.Ids;

/// <summary>
/// Resource ids in the real service's shape: a type prefix, a two-letter region code, and 18 random characters
/// (e.g. <c>m-bp1g7004ksh0oeuc1x2y</c> for an image in cn-hangzhou).
/// </summary>
public static class ResourceIds
{
    private const string Alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";

    public static string NewImageId(string regionId) => New("m", regionId);

    public static string NewInstanceId(string regionId) => New("i", regionId);

    public static string NewDiskId(string regionId) => New("d", regionId);

    public static string NewSnapshotId(string regionId) => New("s", regionId);

    public static string NewTaskId(string regionId) => New("t", regionId);

    /// <summary>16 digits, not starting with 0, like an Alibaba Cloud account id.</summary>
    public static long NewAccountId() => RandomNumberGenerator.GetInt32(1, 10) * 1_000_000_000_000_000L
        + RandomNumberGenerator.GetInt32(0, 1_000_000) * 1_000_000_000L + RandomNumberGenerator.GetInt32(0, 1_000_000_000);

    /// <summary>An AccessKeyId: <c>LTAI</c> and 20 characters.</summary>
    public static string NewAccessKeyId() => "LTAI" + RandomString("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 20);

    /// <summary>An AccessKeySecret: 30 characters.</summary>
    public static string NewAccessKeySecret() => RandomString("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 30);

    public static string New(string prefix, string regionId) => $"{prefix}-{RegionCode(regionId)}{RandomString(Alphabet, 18)}";

    /// <summary>The real service's region codes where known (bp = Hangzhou, uf = Shanghai, t4 = Singapore, ...).</summary>
    public static string RegionCode(string regionId) => regionId switch
    {
        "cn-hangzhou" => "bp",
        "cn-shanghai" => "uf",
        "cn-beijing" => "2z",
        "cn-shenzhen" => "wz",
        "cn-qingdao" => "m5",
        "cn-zhangjiakou" => "8v",
        "cn-hongkong" => "j6",
        "ap-southeast-1" => "t4",
        "us-west-1" => "rj",
        "us-east-1" => "0x",
        "eu-central-1" => "gw",
        _ => RegionHash(regionId),
    };

    private static string RegionHash(string regionId)
    {
        var hash = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(regionId));
        return $"{Alphabet[hash[0] % Alphabet.Length]}{Alphabet[hash[1] % Alphabet.Length]}";
    }

    private static string RandomString(string alphabet, int length) =>
        string.Create(length, alphabet, static (span, chars) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = chars[RandomNumberGenerator.GetInt32(chars.Length)];
            }
        });
}
