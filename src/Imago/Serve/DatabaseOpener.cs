using Imago.Data;

namespace Imago.Serve;

/// <summary>
/// Opens the service's database for serve and admin alike, turning the ways it can fail (server unreachable,
/// authentication refused, a schema of another version) into one-line <see cref="IOException"/>s that name the
/// database without its password.
/// </summary>
public static class DatabaseOpener
{
    public static async Task<ImagoDatabase> OpenAsync(string dataDirectory, string? connectionString, CancellationToken cancellationToken)
    {
        var database = new ImagoDatabase(new DatabaseOptions(dataDirectory, connectionString));
        await InitializeAsync(database, cancellationToken).ConfigureAwait(false);
        return database;
    }

    public static async Task InitializeAsync(ImagoDatabase database, CancellationToken cancellationToken)
    {
        try
        {
            await database.InitializeAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SchemaVersionException e)
        {
            throw new IOException(e.Message, e);
        }
        catch (Exception e) when (Innermost<Npgsql.NpgsqlException>(e) is { } npgsql)
        {
            // EF wraps connection failures ("likely due to a transient failure"); Npgsql's own message names
            // the host and the failure, never the password.
            var reason = npgsql.InnerException is System.Net.Sockets.SocketException socket ? socket.Message : npgsql.Message;
            throw new IOException($"cannot use the database {database.Description}: {reason}", e);
        }
    }

    private static T? Innermost<T>(Exception? e) where T : Exception
    {
        T? found = null;
        for (; e is not null; e = e.InnerException)
        {
            found = e as T ?? found;
        }

        return found;
    }
}
