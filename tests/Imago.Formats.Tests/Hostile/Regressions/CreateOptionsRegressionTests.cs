namespace Imago.Formats.Tests.Hostile.Regressions;

/// <summary>
/// Inputs the mutation test found crashing ImageCreateOptions.Parse / SizeParser with OverflowException
/// (a checked int cast of a huge cluster size; decimal multiplication overflowing before the range check).
/// </summary>
public sealed class CreateOptionsRegressionTests
{
    [Theory]
    [InlineData("cluster_size=512P")]
    [InlineData("cluster_size=99999999999999999999e")]
    [InlineData("cluster_size=79228162514264337593543950335")]
    [InlineData("cluster_size=8E")]
    public void Oversized_cluster_size_is_an_invalid_option(string text)
    {
        var ex = Assert.Throws<ImageFormatException>(() => ImageCreateOptions.Parse(text));
        Assert.Equal(ImageErrorKind.InvalidOption, ex.Kind);
    }

    [Theory]
    [InlineData("99999999999999999999e")]
    [InlineData("9e")]
    public void Size_parser_rejects_sizes_beyond_long_without_throwing(string text) =>
        Assert.False(SizeParser.TryParse(text, out _));
}
