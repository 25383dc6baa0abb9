using Imago.Api.Rpc;
using Imago.Core.Errors;

namespace Imago.Api.Tests;

public sealed class RpcParametersTests
{
    private static RpcParameters Of(params (string Key, string Value)[] pairs) =>
        new(pairs.ToDictionary(p => p.Key, p => p.Value));

    [Fact]
    public void RequireReportsTheMissingName()
    {
        var error = Assert.Throws<EcsException>(() => Of(("RegionId", "")).Require("RegionId"));
        Assert.Equal("MissingParameter", error.Code);
        Assert.Contains("RegionId", error.Message);
    }

    [Fact]
    public void StructListsComeInIndexOrderWithDeprecatedTagNames()
    {
        var p = Of(("Tag.2.Key", "b"), ("Tag.2.Value", "2"), ("Tag.1.key", "a"), ("Tag.1.value", "1"), ("Tag.x.Key", "ignored"));
        Assert.Equal([new("a", "1"), new("b", "2")], p.GetTags());
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("101")]
    [InlineData("0")]
    public void OutOfRangePageSizeIsInvalidParameter(string value)
    {
        var error = Assert.Throws<EcsException>(() => Of(("PageSize", value)).GetPaging());
        Assert.Equal("InvalidParameter", error.Code);
    }

    [Fact]
    public void JsonArraysAreParsedAndBounded()
    {
        Assert.Equal(["i-1", "i-2"], Of(("InstanceIds", "[\"i-1\",\"i-2\"]")).GetJsonArray("InstanceIds")!);
        Assert.Equal("InvalidParameter", Assert.Throws<EcsException>(() => Of(("InstanceIds", "[1,")).GetJsonArray("InstanceIds")).Code);
    }
}
