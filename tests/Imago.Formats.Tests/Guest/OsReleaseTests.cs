using System.Text;
using Imago.Formats.Guest;

namespace Imago.Formats.Tests.Guest;

public sealed class OsReleaseTests
{
    [Fact]
    public void Quoted_unquoted_and_escaped_values_are_read()
    {
        var text = "# comment\nNAME=\"Rocky \\\"Linux\\\"\"\nID='rocky'\nVERSION_ID=9.3\nPRETTY_NAME=\"Rocky Linux 9.3 (Blue Onyx)\"\n\nnot a line\n";

        var release = OsRelease.Parse(Encoding.UTF8.GetBytes(text));

        Assert.Equal(new OsRelease("rocky", "9.3", "Rocky \"Linux\"", "Rocky Linux 9.3 (Blue Onyx)"), release);
    }

    [Fact]
    public void Windows_line_endings_and_upper_case_ids_are_normalised()
    {
        var release = OsRelease.Parse("ID=Debian\r\nVERSION_ID=\"12\"\r\n"u8);

        Assert.Equal("debian", release?.Id);
        Assert.Equal("12", release?.VersionId);
    }

    [Fact]
    public void Text_without_the_fields_is_no_os_release()
    {
        Assert.Null(OsRelease.Parse("HOME_URL=https://example.org/\n"u8));
        Assert.Null(OsRelease.Parse([]));
        Assert.Null(OsRelease.Parse(new byte[OsRelease.MaxBytes + 1]));
    }
}
