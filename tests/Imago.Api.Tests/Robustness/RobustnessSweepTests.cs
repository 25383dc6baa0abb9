using System.Net;
using Imago.Api.Rpc;
using Imago.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Imago.Api.Tests.Robustness;

/// <summary>
/// Issue rule 7 for every registered action: hostile parameters (empty, 64 KiB, non-ASCII, control characters, bad
/// numbers, malformed JSON arrays, odd list indexes, ids of other kinds, extra names, duplicated names) get a 4xx
/// ECS error body or a normal answer, never a 500, a hang or an "unexpected exception" in the log.
/// </summary>
public sealed class RobustnessSweepTests(ImagoServer server, ITestOutputHelper output) : IClassFixture<ImagoServer>
{
    /// <summary>Fixed, so a failing case reproduces; the labels in the failure message say which one.</summary>
    private const int Seed = 20261127;

    /// <summary>Generous: a hang guard, not a timing assertion (the requests take milliseconds).</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task EveryRegisteredActionAnswersHostileParametersWithAnEcsErrorAndNeverA500()
    {
        var (client, _) = await server.CreateClientAsync();
        var estate = await Estate.CreateAsync(server, client);
        var requests = new HostileRequests(estate, Seed);

        // Straight from the host's DI: an action added later is swept without touching this test.
        var actions = server.Services.GetServices<IEcsActionHandler>().Select(h => h.Action)
            // Destructive actions last, so the estate the others aim at lives as long as possible.
            .OrderBy(a => a.StartsWith("Delete", StringComparison.Ordinal) || a == "CancelTask").ThenBy(a => a, StringComparer.Ordinal).ToList();
        Assert.Contains("RunInstances", actions);

        var failures = new List<string>();
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var answers = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var action in actions)
        {
            foreach (var hostile in requests.For(action))
            {
                counts[action] = counts.GetValueOrDefault(action) + 1;
                var (failure, code) = await CheckAsync(client, hostile);
                answers[code] = answers.GetValueOrDefault(code) + 1;
                if (failure is not null)
                {
                    failures.Add(failure);
                }
            }
        }

        output.WriteLine($"{counts.Values.Sum()} requests over {actions.Count} actions: " + string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}")));
        // Visible, not failing: a new action is swept with the generic names until its own are listed.
        output.WriteLine("swept with the generic parameter list (add them to SweepCatalog): "
            + string.Join(", ", actions.Where(a => !SweepCatalog.Scalars.ContainsKey(a)).DefaultIfEmpty("none")));
        output.WriteLine("answers: " + string.Join(", ", answers.Select(c => $"{c.Key} {c.Value}")));
        Assert.True(failures.Count == 0, $"{failures.Count} bad answers:\n" + string.Join('\n', failures.Take(40)));
        Assert.DoesNotContain("unexpected exception", server.LogText, StringComparison.OrdinalIgnoreCase);
        // Some cases ran without DryRun and failed past validation: none may have left bytes or rows behind.
        await StoreConsistency.AssertInStepAsync(server, client);
    }

    /// <summary>The answer's code (OK for a success), and null when it is acceptable, else a line that says what was sent and what came back.</summary>
    private static async Task<(string? Failure, string Code)> CheckAsync(EcsClient client, HostileCase hostile)
    {
        using var guard = new CancellationTokenSource(HangGuard);
        EcsResponse response;
        try
        {
            var options = hostile.DuplicateQuery is null ? null : new EcsCallOptions { AfterSigning = r => r.RequestUri = new Uri(r.RequestUri + "&" + hostile.DuplicateQuery, UriKind.Relative) };
            response = await client.CallAsync(hostile.Action, hostile.Parameters, hostile.Style, options: options, cancellationToken: guard.Token);
        }
        catch (OperationCanceledException) when (guard.IsCancellationRequested)
        {
            return ($"{hostile.Action} [{hostile.Label}] ({hostile.Style}): no answer within {HangGuard}", "(hang)");
        }
        catch (System.Xml.XmlException e)
        {
            return ($"{hostile.Action} [{hostile.Label}] ({hostile.Style}): malformed XML answer: {e.Message}", "(bad XML)");
        }

        var status = (int)response.Status;
        var code = status == 200 ? "OK" : $"{status} {SafeCode(response)}";
        return (HasEcsShape(response, hostile) ? null : $"{hostile.Action} [{hostile.Label}] ({hostile.Style}): {status} {Truncate(response.Body)}", code);
    }

    /// <summary>200 with a RequestId and no Code, or 4xx with the error body's strings (RequestId, Code, Message).</summary>
    private static bool HasEcsShape(EcsResponse response, HostileCase hostile)
    {
        try
        {
            var status = (int)response.Status;
            var shape = status == 200
                ? response.RequestId is { Length: > 0 } && response.Code is null
                : status is >= 400 and < 500 && response.RequestId is { Length: > 0 } && response.Code is { Length: > 0 } && response.Message is not null;
            return hostile.DuplicateQuery is null ? shape : shape && response.Code == "InvalidParameter" && response.Status == HttpStatusCode.BadRequest;
        }
        catch (InvalidOperationException)
        {
            return false; // a field that is not a string
        }
    }

    private static string SafeCode(EcsResponse response)
    {
        try
        {
            return response.Code ?? "(none)";
        }
        catch (InvalidOperationException)
        {
            return "(not a string)";
        }
    }

    private static string Truncate(string body) => body.Length > 300 ? body[..300] + "..." : body;
}
