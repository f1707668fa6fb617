from tests.integration.accounts.test_password_reset import fresh_client


async def test_the_typed_address_is_shown_escaped(world):
    async with fresh_client(world) as client:
        response = await client.post(
            "/password/forgot", data={"email": "<script>alert(1)</script>@evil.example"}
        )
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;" in response.text
