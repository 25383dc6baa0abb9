using Imago.Api.Signatures;

namespace Imago.Api.Tests.Protocol;

/// <summary>The two published test vectors of ecs-api.md 7.2 and 7.3, through the server's signature code.</summary>
public sealed class SignatureVectorTests
{
    public static readonly KeyValuePair<string, string>[] V1VectorParameters =
    [
        new("AccessKeyId", "testid"),
        new("Action", "DescribeRegions"),
        new("Format", "XML"),
        new("SignatureMethod", "HMAC-SHA1"),
        new("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
        new("SignatureVersion", "1.0"),
        new("Timestamp", "2016-02-23T12:46:24Z"),
        new("Version", "2014-05-26"),
    ];

    public const string V1StringToSign =
        "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26";

    public const string V1Signature = "OLeaidS1JvxuMvnyHOwuJ+uX5qY=";

    public static readonly KeyValuePair<string, string>[] V3VectorQuery =
    [
        new("ImageId", "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd"),
        new("RegionId", "cn-shanghai"),
    ];

    public static readonly Dictionary<string, string> V3VectorHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        ["host"] = "ecs.cn-shanghai.aliyuncs.com",
        ["x-acs-action"] = "RunInstances",
        ["x-acs-version"] = "2014-05-26",
        ["x-acs-date"] = "2023-10-26T10:22:32Z",
        ["x-acs-signature-nonce"] = "3156853299f313e23d1673dc12e1703d",
        ["x-acs-content-sha256"] = SignatureV3.EmptyBodyHash,
    };

    public const string V3CanonicalRequestHash = "7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259";

    public const string V3Signature = "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0";

    [Fact]
    public void V1VectorStringToSignAndSignature()
    {
        // Given in a shuffled order: the canonical form sorts them.
        var stringToSign = SignatureV1.StringToSign("GET", V1VectorParameters.Reverse());
        Assert.Equal(V1StringToSign, stringToSign);
        Assert.Equal(V1Signature, SignatureV1.Sign("testsecret", stringToSign));
    }

    [Fact]
    public void V1SignsEmptyValuesAndEncodesReservedCharacters()
    {
        var stringToSign = SignatureV1.StringToSign("POST", [new("SignatureType", ""), new("Name", "a b*c~d/é")]);
        Assert.Equal("POST&%2F&Name%3Da%2520b%252Ac~d%252F%25C3%25A9%26SignatureType%3D", stringToSign);
    }

    [Fact]
    public void V3VectorCanonicalRequestAndSignature()
    {
        var signedHeaders = "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version".Split(';');
        var canonical = SignatureV3.CanonicalRequest("POST", V3VectorQuery, signedHeaders,
            name => V3VectorHeaders.TryGetValue(name, out var value) ? [value] : [], SignatureV3.EmptyBodyHash);
        Assert.Equal(V3CanonicalRequestHash, SignatureV3.HexSha256(System.Text.Encoding.UTF8.GetBytes(canonical)));
        var stringToSign = SignatureV3.StringToSign(canonical);
        Assert.Equal("ACS3-HMAC-SHA256\n" + V3CanonicalRequestHash, stringToSign);
        Assert.Equal(V3Signature, SignatureV3.Sign("YourAccessKeySecret", stringToSign));
    }

    [Theory]
    [InlineData("abcXYZ019-_.~", "abcXYZ019-_.~")]
    [InlineData("a b", "a%20b")]
    [InlineData("*", "%2A")]
    [InlineData("+/=:&", "%2B%2F%3D%3A%26")]
    [InlineData("中", "%E4%B8%AD")]
    public void PercentEncodingIsRfc3986(string value, string expected) => Assert.Equal(expected, PercentEncoding.Encode(value));
}
