using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml;
using System.Xml.Linq;

namespace Imago.Api.Rpc;

/// <summary>
/// A response body as ECS renders it in XML (ecs-api.md 1): the root <c>&lt;{Action}Response&gt;</c> (or
/// <c>&lt;Error&gt;</c>), an object as nested elements, an array as the same element repeated, so the wrapper
/// <c>"Images":{"Image":[a,b]}</c> becomes <c>&lt;Images&gt;&lt;Image&gt;a&lt;/Image&gt;&lt;Image&gt;b&lt;/Image&gt;&lt;/Images&gt;</c>.
/// </summary>
public static class EcsXml
{
    public static XDocument ToDocument(string rootName, JsonObject body)
    {
        var root = new XElement(Name(rootName));
        AddMembers(root, body);
        return new XDocument(new XDeclaration("1.0", "UTF-8", null), root);
    }

    private static void AddMembers(XElement parent, JsonObject members)
    {
        foreach (var (key, value) in members)
        {
            if (value is JsonArray items)
            {
                foreach (var item in items)
                {
                    parent.Add(Element(key, item));
                }
            }
            else
            {
                parent.Add(Element(key, value));
            }
        }
    }

    private static XElement Element(string name, JsonNode? value)
    {
        var element = new XElement(Name(name));
        switch (value)
        {
            case null:
                break;
            case JsonObject members:
                AddMembers(element, members);
                break;
            case JsonArray nested:
                // An array directly inside an array has no ECS shape; keep its items as repeated children.
                foreach (var item in nested)
                {
                    element.Add(Element(name, item));
                }

                break;
            default:
                element.Value = XmlSafe(Text(value.AsValue()));
                break;
        }

        return element;
    }

    private static string Text(JsonValue value) => value.GetValueKind() switch
    {
        JsonValueKind.String => value.GetValue<string>(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => value.ToJsonString(),
    };

    /// <summary>
    /// XML 1.0 cannot carry some characters JSON can (control characters, U+FFFE/U+FFFF, lone surrogates), not even
    /// as character references, and the writer throws on them. Stored text and error messages may echo what a client
    /// sent, so such characters become U+FFFD instead of turning the answer into a 500.
    /// </summary>
    internal static string XmlSafe(string text)
    {
        var firstBad = FirstInvalid(text, 0);
        if (firstBad < 0)
        {
            return text;
        }

        var safe = new StringBuilder(text.Length);
        var start = 0;
        for (var bad = firstBad; bad >= 0; bad = FirstInvalid(text, start))
        {
            safe.Append(text, start, bad - start).Append('\uFFFD');
            start = bad + 1;
        }

        return safe.Append(text, start, text.Length - start).ToString();
    }

    private static int FirstInvalid(string text, int from)
    {
        for (var i = from; i < text.Length; i++)
        {
            if (XmlConvert.IsXmlChar(text[i]))
            {
                continue;
            }

            if (i + 1 < text.Length && XmlConvert.IsXmlSurrogatePair(text[i + 1], text[i]))
            {
                i++;
                continue;
            }

            return i;
        }

        return -1;
    }

    private static string Name(string name) => XmlConvert.EncodeLocalName(name.Length == 0 ? "_" : name) ?? "_";
}
