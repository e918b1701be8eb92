package dev.parley.accounts;

import dev.parley.core.IdGenerator;
import dev.parley.core.ParleyException;
import dev.parley.directory.Device;
import dev.parley.directory.Directory;
import dev.parley.directory.User;
import dev.parley.protocol.CloseCodes;
import dev.parley.protocol.ErrorCode;
import dev.parley.cluster.ClusterRelay;
import dev.parley.sync.SyncService;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** Registration, login, tokens, logout and device revocation. Methods block: call them off the event loop. */
public final class AccountService {
    private static final Pattern USERNAME = Pattern.compile("[a-z0-9_.]{3,32}");
    private static final int MAX_DISPLAY_NAME = 64;
    private static final int MAX_DEVICE_NAME = 64;

    private final Directory directory;
    private final Passwords passwords;
    private final LoginThrottle throttle;
    private final IdGenerator ids;
    private final Clock clock;
    private final ClusterRelay relay;
    private final SyncService sync;
    private final int maxDevices;
    private volatile java.util.function.LongConsumer deviceRemoved = userId -> { };

    public AccountService(Directory directory, AccountsConfig config, IdGenerator ids, Clock clock,
                          ClusterRelay relay, SyncService sync) {
        this.directory = directory;
        this.passwords = new Passwords(config);
        this.throttle = new LoginThrottle(config);
        this.ids = ids;
        this.clock = clock;
        this.relay = relay;
        this.sync = sync;
        this.maxDevices = config.maxDevices();
    }

    /** Told the user id whenever one of its devices is deleted (so caches of its devices can be dropped). */
    public void onDeviceRemoved(java.util.function.LongConsumer listener) {
        this.deviceRemoved = listener;
    }

    /** Creates an account; the username is kept lower-case and must be unique regardless of case. */
    public User register(String username, String password, String displayName) {
        String name = normalizeUsername(username);
        if (!USERNAME.matcher(name).matches()) {
            throw new ParleyException(ErrorCode.BAD_REQUEST, "username: \"" + clip(username)
                + "\" (expected: 3-32 characters of a-z, 0-9, '_' and '.')");
        }
        if (password == null || password.length() < AccountsConfig.MIN_PASSWORD_LENGTH) {
            throw new ParleyException(ErrorCode.WEAK_PASSWORD,
                "password: too short (expected: at least " + AccountsConfig.MIN_PASSWORD_LENGTH + " characters)");
        }
        if (password.length() > AccountsConfig.MAX_PASSWORD_LENGTH) {
            throw new ParleyException(ErrorCode.BAD_REQUEST,
                "password: too long (expected: at most " + AccountsConfig.MAX_PASSWORD_LENGTH + " characters)");
        }
        String display = displayName == null || displayName.isBlank() ? name : displayName.strip();
        if (display.codePointCount(0, display.length()) > MAX_DISPLAY_NAME) {
            throw new ParleyException(ErrorCode.BAD_REQUEST,
                "displayName: too long (expected: at most " + MAX_DISPLAY_NAME + " characters)");
        }
        if (directory.findUserByUsername(name).isPresent()) {
            throw new dev.parley.directory.UsernameTakenException(name);
        }
        User user = new User(ids.next(), name, display, passwords.hash(password), clock.millis());
        directory.createUser(user); // the unique index settles races between concurrent registrations
        return user;
    }

    /**
     * Checks the password and creates a new device with a fresh token.
     *
     * @param clientAddress the caller's address, for throttling
     * @throws ParleyException {@code unauthorized} for a wrong username or password (the same answer for both),
     *                         {@code rate_limited} when the address or the account is throttled
     */
    public LoginResult login(String username, String password, String deviceName, String clientAddress) {
        long wait = throttle.tryAttempt(clientAddress);
        if (wait > 0) {
            throw new RateLimitedException("too many login attempts from this address", wait);
        }
        String name = normalizeUsername(username);
        wait = throttle.accountWait(name);
        if (wait > 0) {
            throw new RateLimitedException("too many failed logins for this account", wait);
        }
        if (password == null || password.length() > AccountsConfig.MAX_PASSWORD_LENGTH) {
            throw new ParleyException(ErrorCode.UNAUTHORIZED, "wrong username or password");
        }
        Optional<User> user = directory.findUserByUsername(name);
        if (user.isEmpty()) {
            passwords.burn(password);
            throttle.failed(name);
            throw new ParleyException(ErrorCode.UNAUTHORIZED, "wrong username or password");
        }
        if (!passwords.verify(password, user.get().passwordHash())) {
            throttle.failed(name);
            throw new ParleyException(ErrorCode.UNAUTHORIZED, "wrong username or password");
        }
        List<Device> existing = directory.devices(user.get().id());
        if (existing.size() >= maxDevices) {
            StringBuilder list = new StringBuilder();
            for (Device d : existing) {
                list.append(list.isEmpty() ? "" : ", ").append(d.id()).append(" (\"").append(d.name()).append("\")");
            }
            throw new ParleyException(ErrorCode.CONFLICT, "too many devices: " + existing.size() + " of "
                + maxDevices + " in use; revoke one of them first (DELETE /v1/devices/{deviceId}): " + list);
        }
        String devName = deviceName == null || deviceName.isBlank() ? "device" : deviceName.strip();
        if (devName.codePointCount(0, devName.length()) > MAX_DEVICE_NAME) {
            devName = devName.substring(0, devName.offsetByCodePoints(0, MAX_DEVICE_NAME));
        }
        String token = Tokens.newToken();
        Device device = new Device(ids.next(), user.get().id(), devName, clock.millis());
        directory.createDevice(device, Tokens.hash(token));
        sync.startNewDevice(device); // a new device starts empty: history is read over REST
        return new LoginResult(token, device.userId(), device.id());
    }

    /** The device a token belongs to, if the token is valid. */
    public Optional<Device> authenticate(String token) {
        if (token == null || token.isEmpty() || token.length() > 200) {
            return Optional.empty();
        }
        return directory.findDeviceByTokenHash(Tokens.hash(token));
    }

    /** Logs a device out: its token stops working and its connections close. */
    public void logout(Device device) {
        revoke(device.userId(), device.id());
    }

    /** Revokes one of the user's devices; its connections close at once. */
    public void revoke(long userId, long deviceId) {
        if (!directory.deleteDevice(userId, deviceId)) {
            throw new ParleyException(ErrorCode.NOT_FOUND, "device: " + deviceId + " (expected: one of your devices)");
        }
        sync.forgetDevice(deviceId);
        deviceRemoved.accept(userId);
        relay.closeDevice(userId, deviceId, CloseCodes.UNAUTHORIZED, "device revoked");
    }

    public List<Device> devices(long userId) {
        return directory.devices(userId);
    }

    public Optional<User> user(long userId) {
        return directory.findUser(userId);
    }

    public Optional<User> userByUsername(String username) {
        return directory.findUserByUsername(normalizeUsername(username));
    }

    private static String normalizeUsername(String username) {
        return username == null ? "" : username.strip().toLowerCase(Locale.ROOT);
    }

    private static String clip(String s) {
        return s == null ? "" : s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
