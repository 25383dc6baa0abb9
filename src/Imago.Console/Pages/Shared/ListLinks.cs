namespace Imago.WebConsole.Pages.Shared;

/// <summary>A list page's link that keeps its filters: only the parameters with a value, escaped.</summary>
public static class ListLinks
{
    public static string Build(string path, params (string Name, string? Value)[] parameters)
    {
        var query = string.Join("&", parameters.Where(p => !string.IsNullOrEmpty(p.Value))
            .Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}"));
        return query.Length == 0 ? path : $"{path}?{query}";
    }
}
