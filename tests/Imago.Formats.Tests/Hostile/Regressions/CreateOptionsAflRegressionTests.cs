namespace Imago.Formats.Tests.Hostile.Regressions;

/// <summary>
/// Inputs AFL++ found (fuzz/run.sh options) whose refusal was not one line: ImageCreateOptions and SizeParser
/// echoed control characters (newlines) from the option text into the message. Kept as hex of the crash files.
/// </summary>
public sealed class CreateOptionsAflRegressionTests
{
    [Theory]
    [InlineData("afl-id-000001", "636c75737465725f73697f003536346b0a636f6d70726573cd69008000007a70653d7a738b65")]
    [InlineData("afl-id-000003", "636c75737465725f73697a653d36346b2c636f6d707265730a696f6e5f747990653d7a737464")]
    [InlineData("afl-id-000005", "636c75737465725f73697a653d36346b2c636f6d7072657373696f6e5f747970653d7a7374f1f1f1f1f1f1f10df2f1f1f1f1f1f1f1f1f1f1f1f1f164")]
    [InlineData("afl-id-000008", "737562666f726d61743d636c75737465726773697a4c000400000a636f6d707265f273696f6e")]
    [InlineData("afl-id-000011", "636c75737465725f73697a653d36346b2c636c75737465725f73697a653d3634000d636c")]
    public void Refusal_of_fuzzed_options_is_one_line(string finding, string hex)
    {
        var text = System.Text.Encoding.UTF8.GetString(Convert.FromHexString(hex));
        var ex = Assert.Throws<ImageFormatException>(() => ImageCreateOptions.Parse(text));
        Assert.Equal(ImageErrorKind.InvalidOption, ex.Kind);
        Assert.True(Outcome.DescribeBadRefusal(ex) is null, $"{finding}: {Outcome.DescribeBadRefusal(ex)}");
    }
}
